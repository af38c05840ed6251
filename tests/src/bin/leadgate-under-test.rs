//! The `leadgate` command, built inside the test crate so the CLI tests can run it
//! (`CARGO_BIN_EXE_*` exists only for a package's own binaries). Same entry point as the real
//! binary: [`leadgate::commands::main`].

/// The real binary's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    leadgate::commands::main()
}
