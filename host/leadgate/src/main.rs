//! The `leadgate` command.

/// mimalloc rather than the system allocator: scoring and imports allocate and free many short
/// strings per record, and glibc's malloc spent about a third of the scoring time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    leadgate::commands::main()
}
