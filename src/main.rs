//! Parses the command line and runs one command; logging is set up by the command itself
//! (the server logs to a file too, the one-shot verbs to the console only).

use clap::Parser;
use std::process::ExitCode;

/// glibc raises its mmap threshold after a large block is freed, so each 19 MiB argon2 block of
/// a later login stays in the heap for good (20 logins left an idle server at 300 MB). A fixed
/// threshold keeps large blocks in mmap, returned to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only changes allocator tuning; called once before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    match presswork::cli::run(presswork::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
