//! A small, fast memory allocator for plugins: segregated free lists by power-of-two size class,
//! carved from 64 KiB chunks of the system allocator.
//!
//! Why: a batch call lifts every contact, activity and string from the host into separate heap
//! blocks and frees them all at the end. With the system allocator (dlmalloc) that bookkeeping
//! costs about three quarters of the instructions a simple rule executes per contact. Here an
//! allocation of up to 4 KiB is a pop from a free list (or a bump in the current chunk) and a
//! free is a push: a handful of instructions each.
//!
//! Trade-offs: sizes are rounded up to a power of two (at most 2× the memory for small blocks),
//! and freed small blocks are kept for reuse by their size class instead of being returned to
//! the system allocator, so memory stays at the peak of each class. Blocks over 4 KiB go to the
//! system allocator unchanged.
//!
//! It is the global allocator only on single-threaded WebAssembly (`wasm32` without the `atomics`
//! feature, as `wasm32-wasip2` is) with the SDK's `fast-alloc` feature on (the default). Native
//! builds, such as unit tests, keep the system allocator.
#![allow(unsafe_code, reason = "a global allocator is unsafe by definition")]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr;
use std::alloc::System;

/// The smallest class holds 8 bytes: room for the free list's next pointer on 32- and 64-bit.
const MIN_CLASS_SHIFT: u32 = 3;
/// The largest class holds 4 KiB; bigger blocks go to the system allocator.
const MAX_CLASS_SHIFT: u32 = 12;
const CLASS_COUNT: usize = (MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1) as usize;
/// Chunks taken from the system allocator and cut into blocks of any class.
const CHUNK_SIZE: usize = 64 * 1024;
/// Chunks are aligned to the largest class, so every block can be aligned to its own size.
const CHUNK_ALIGN: usize = 1 << MAX_CLASS_SHIFT;

/// The mutable state: heads of the free lists, and what is left of the current chunk.
struct State {
    /// For each class, the first free block; each free block stores the address of the next.
    free_lists: [*mut u8; CLASS_COUNT],
    /// The unused part of the current chunk: `[chunk_next, chunk_end)`.
    chunk_next: usize,
    chunk_end: usize,
}

/// The allocator (see the [module docs](self)).
pub(crate) struct SizeClassAllocator {
    state: UnsafeCell<State>,
}

// SAFETY: the allocator is shared only when it is the global allocator, which happens only on
// WebAssembly without threads (see `lib.rs`), where no two calls can ever run at the same time.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl Sync for SizeClassAllocator {}

/// The class of blocks that fits `layout`, or `None` when it is too big for the free lists.
///
/// A block of class `c` is `1 << (c + MIN_CLASS_SHIFT)` bytes and aligned to its size, so taking
/// the larger of size and alignment covers both.
fn class_of(layout: Layout) -> Option<usize> {
    let needed = layout.size().max(layout.align()).max(1 << MIN_CLASS_SHIFT);
    if needed > 1 << MAX_CLASS_SHIFT {
        return None;
    }
    // ceil(log2(needed)): needed >= 8, so `needed - 1` is not 0.
    let shift = usize::BITS - (needed - 1).leading_zeros();
    Some((shift - MIN_CLASS_SHIFT) as usize)
}

const fn class_size(class: usize) -> usize {
    1 << (class as u32 + MIN_CLASS_SHIFT)
}

impl SizeClassAllocator {
    /// An allocator with no memory yet.
    pub(crate) const fn new() -> Self {
        Self {
            state: UnsafeCell::new(State {
                free_lists: [ptr::null_mut(); CLASS_COUNT],
                chunk_next: 0,
                chunk_end: 0,
            }),
        }
    }

    /// A block of `class`, from its free list or carved from the current chunk.
    ///
    /// # Safety
    ///
    /// No other reference to the state may be live (single-threaded, not re-entered).
    unsafe fn alloc_class(&self, class: usize) -> *mut u8 {
        // SAFETY: exclusive access per the contract above.
        let state = unsafe { &mut *self.state.get() };
        let head = state.free_lists[class];
        if !head.is_null() {
            // SAFETY: `head` is a free block of this class; its first word holds the next one.
            state.free_lists[class] = unsafe { head.cast::<*mut u8>().read() };
            return head;
        }
        let size = class_size(class);
        // Blocks are aligned to their size; the padding skipped here is simply not used.
        let mut start = state.chunk_next.next_multiple_of(size);
        if state.chunk_end == 0 || start + size > state.chunk_end {
            // SAFETY: a valid, non-zero-sized layout.
            let chunk = unsafe { System.alloc(Layout::from_size_align_unchecked(CHUNK_SIZE, CHUNK_ALIGN)) };
            if chunk.is_null() {
                return ptr::null_mut();
            }
            state.chunk_end = chunk as usize + CHUNK_SIZE;
            start = chunk as usize;
        }
        state.chunk_next = start + size;
        start as *mut u8
    }
}

// SAFETY: every block handed out is at least `layout.size()` bytes, aligned to `layout.align()`
// (blocks of a class are aligned to the class size, which is at least the alignment), and owned
// by the caller until it is given back; the class is derived from the layout, which `dealloc`
// and `realloc` receive unchanged, so blocks always return to the list they came from.
unsafe impl GlobalAlloc for SizeClassAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            // SAFETY: single-threaded; nothing here re-enters the allocator.
            Some(class) => unsafe { self.alloc_class(class) },
            // SAFETY: forwarded unchanged.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        match class_of(layout) {
            Some(class) => {
                // SAFETY: exclusive access; `block` is a block of `class` that the caller gives
                // back, at least pointer-sized and pointer-aligned (classes start at 8 bytes).
                unsafe {
                    let state = &mut *self.state.get();
                    block.cast::<*mut u8>().write(state.free_lists[class]);
                    state.free_lists[class] = block;
                }
            }
            // SAFETY: it came from `System.alloc` with this layout.
            None => unsafe { System.dealloc(block, layout) },
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded up to `layout.align()`, fits `isize`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class_of(layout), class_of(new_layout)) {
            // The block is already big enough for the new size.
            (Some(old_class), Some(new_class)) if old_class == new_class => block,
            // Both big: the system allocator may grow in place.
            // SAFETY: it came from `System.alloc` with `layout`.
            (None, None) => unsafe { System.realloc(block, layout, new_size) },
            _ => {
                // SAFETY: `new_layout` is valid (see above).
                let new_block = unsafe { self.alloc(new_layout) };
                if !new_block.is_null() {
                    // SAFETY: both blocks are valid for the smaller size and do not overlap.
                    unsafe {
                        ptr::copy_nonoverlapping(block, new_block, layout.size().min(new_size));
                        self.dealloc(block, layout);
                    }
                }
                new_block
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        match Layout::from_size_align(size, align) {
            Ok(layout) => layout,
            Err(error) => panic!("bad layout {size}/{align}: {error}"),
        }
    }

    #[test]
    fn classes() {
        assert_eq!(class_of(layout(1, 1)), Some(0));
        assert_eq!(class_of(layout(8, 8)), Some(0));
        assert_eq!(class_of(layout(9, 1)), Some(1));
        assert_eq!(class_of(layout(16, 1)), Some(1));
        assert_eq!(class_of(layout(17, 1)), Some(2));
        assert_eq!(class_of(layout(1, 64)), Some(3));
        assert_eq!(class_of(layout(4096, 8)), Some(CLASS_COUNT - 1));
        assert_eq!(class_of(layout(4097, 8)), None);
        assert_eq!(class_size(0), 8);
        assert_eq!(class_size(CLASS_COUNT - 1), 4096);
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_reused() {
        let allocator = SizeClassAllocator::new();
        let mut blocks: Vec<(*mut u8, Layout, u8)> = Vec::new();
        // Enough blocks of mixed sizes to span several chunks, each filled with its own byte.
        for index in 0..3000_usize {
            let size = [1, 7, 8, 24, 100, 1000, 4096, 5000, 70_000][index % 9];
            let align = [1, 2, 4, 8, 16][index % 5];
            let layout = layout(size, align);
            let block = unsafe { allocator.alloc(layout) };
            assert!(!block.is_null());
            assert_eq!(block as usize % align, 0, "alignment of {size}/{align}");
            let fill = (index % 251) as u8;
            unsafe { ptr::write_bytes(block, fill, size) };
            blocks.push((block, layout, fill));
        }
        // Nothing was overwritten by another block.
        for &(block, layout, fill) in &blocks {
            let bytes = unsafe { core::slice::from_raw_parts(block, layout.size()) };
            assert!(bytes.iter().all(|&byte| byte == fill));
        }
        for (block, layout, _) in blocks.drain(..) {
            unsafe { allocator.dealloc(block, layout) };
        }
    }

    #[test]
    fn freed_blocks_are_reused_last_in_first_out() {
        let allocator = SizeClassAllocator::new();
        let first = unsafe { allocator.alloc(layout(24, 8)) };
        let second = unsafe { allocator.alloc(layout(24, 8)) };
        assert_ne!(first, second);
        unsafe {
            allocator.dealloc(first, layout(24, 8));
            allocator.dealloc(second, layout(24, 8));
        }
        // Same class (17..=32 bytes), whatever the exact size and alignment.
        assert_eq!(unsafe { allocator.alloc(layout(30, 1)) }, second);
        assert_eq!(unsafe { allocator.alloc(layout(17, 2)) }, first);
    }

    #[test]
    fn realloc_keeps_the_contents() {
        let allocator = SizeClassAllocator::new();
        let mut size = 3;
        let mut block = unsafe { allocator.alloc(layout(size, 1)) };
        unsafe { ptr::copy_nonoverlapping(b"abc".as_ptr(), block, 3) };
        // Grow through small classes, into the system allocator, and shrink back.
        for new_size in [5, 8, 9, 100, 4096, 4097, 100_000, 6000, 50, 3] {
            block = unsafe { allocator.realloc(block, layout(size, 1), new_size) };
            assert!(!block.is_null());
            let head = unsafe { core::slice::from_raw_parts(block, 3) };
            assert_eq!(head, b"abc", "after realloc to {new_size}");
            size = new_size;
        }
        unsafe { allocator.dealloc(block, layout(size, 1)) };
    }

    #[test]
    fn same_class_realloc_stays_in_place() {
        let allocator = SizeClassAllocator::new();
        let block = unsafe { allocator.alloc(layout(20, 4)) };
        let grown = unsafe { allocator.realloc(block, layout(20, 4), 32) };
        assert_eq!(block, grown);
        unsafe { allocator.dealloc(grown, layout(32, 4)) };
    }
}
