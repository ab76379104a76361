use clap::Parser;

fn main() {
    let cli = dutydesk::cli::Cli::parse();
    if let Err(e) = dutydesk::cli::run(cli) {
        eprintln!("dutydesk: {}", e.0);
        std::process::exit(1);
    }
}
