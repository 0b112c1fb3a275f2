//! Printing for the verbs. A reader that goes away (`presswork user list | head -1`) is not an
//! error: the verb finishes its work and exits as it would have, only its output stops. Any
//! other failure to write (a full disk behind `> file`) is an error the verb returns.

use std::io::{ErrorKind, Write};

/// `println!` that treats a closed pipe as done; used through [`say!`].
pub fn line(args: std::fmt::Arguments) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{args}") {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints a line to stdout like `println!`, returning an `io::Result` instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::out::line(format_args!($($arg)*))
    };
}
