//! The `leadgate` command.

fn main() -> std::process::ExitCode {
    leadgate::commands::main()
}
