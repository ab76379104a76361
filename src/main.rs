fn main() -> std::process::ExitCode {
    dutydesk::cli::main()
}
