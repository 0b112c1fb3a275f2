//! Real mounts for the disk-trouble tests (a tmpfs, an ext4 loop device that can be made to
//! fail read-only) and a server whose console log lives off them. Mounting needs root; each
//! constructor returns `None` where it is not allowed, and the test says so and stops.
#![allow(dead_code)]

use crate::common::{bin, ADMIN_PASSWORD};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// A file system mounted for one test; unmounted (lazily) when dropped.
pub struct Mount {
    dir: tempfile::TempDir,
    /// The ext4 image file's folder, for an ext4 mount.
    image: Option<tempfile::TempDir>,
}

fn run(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Mount {
    /// A tmpfs of `size` (e.g. "3m"), which fills up like a small disk.
    pub fn tmpfs(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap();
        let options = format!("size={size}");
        run("mount", &["-t", "tmpfs", "-o", &options, "tmpfs", path])
            .then_some(Mount { dir, image: None })
    }

    pub fn resize(&self, size: &str) {
        self.remount(&format!("size={size}"));
    }

    /// An ext4 file system on a loop device that remounts itself read-only on an error.
    pub fn ext4() -> Option<Mount> {
        let image = tempfile::tempdir().unwrap();
        let file = image.path().join("disk.img");
        std::fs::File::create(&file)
            .unwrap()
            .set_len(64 << 20)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mount = Mount {
            dir,
            image: Some(image),
        };
        let file = file.to_str().unwrap();
        (run("mkfs.ext4", &["-q", "-F", file]) && mount.attach()).then_some(mount)
    }

    fn image_file(&self) -> String {
        let image = self.image.as_ref().expect("an ext4 mount");
        image.path().join("disk.img").to_str().unwrap().to_owned()
    }

    fn attach(&self) -> bool {
        let options = "loop,errors=remount-ro";
        run(
            "mount",
            &["-o", options, &self.image_file(), self.path_str()],
        )
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn path_str(&self) -> &str {
        self.path().to_str().unwrap()
    }

    pub fn remount(&self, options: &str) {
        let options = format!("remount,{options}");
        assert!(
            run("mount", &["-o", &options, self.path_str()]),
            "{options}"
        );
    }

    /// Makes ext4 hit an error, after which it refuses every write (EROFS) and keeps reading.
    pub fn turn_read_only(&self) {
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
        let device = mounts
            .lines()
            .find(|l| l.split(' ').nth(1) == Some(self.path_str()))
            .and_then(|l| l.split(' ').next())
            .expect("the mount's device");
        let name = device.rsplit('/').next().unwrap();
        std::fs::write(format!("/sys/fs/ext4/{name}/trigger_fs_error"), "test").unwrap();
    }

    /// What an administrator does next: unmount, check the disk, mount it again.
    pub fn repair(&self) {
        assert!(run("umount", &[self.path_str()]), "umount");
        let fsck = Command::new("e2fsck")
            .args(["-f", "-y", &self.image_file()])
            .output()
            .unwrap();
        // 0: clean, 1: errors corrected (the error we set off is recorded on the disk).
        assert!(fsck.status.code().is_some_and(|c| c <= 1), "{fsck:?}");
        assert!(self.attach(), "mount again");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

/// The real binary on a data dir whose console log goes elsewhere (the data dir may refuse it).
pub struct Server {
    child: Option<Child>,
    pub base: String,
    stdout: Arc<Mutex<Vec<String>>>,
    log: PathBuf,
}

impl Server {
    pub fn try_start(data: &Path, logs: &Path) -> Result<Server, String> {
        let log = logs.join(format!("server-{}.log", std::process::id()));
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut child = Command::new(bin())
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("PRESSWORK_LOG", "warn")
            .env("PRESSWORK_NO_BROWSER", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = stdout.clone();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(addr.trim().to_owned());
                }
                lines.lock().unwrap().push(line);
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => Ok(Server {
                child: Some(child),
                base: format!("http://{addr}"),
                stdout,
                log,
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(std::fs::read_to_string(&log).unwrap_or_default())
            }
        }
    }

    pub fn start(data: &Path, logs: &Path) -> Server {
        Server::try_start(data, logs).unwrap_or_else(|log| panic!("did not start:\n{log}"))
    }

    /// SIGTERM, as a service manager stops it; how it exited.
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        run("kill", &["-TERM", &child.id().to_string()]);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not stop on SIGTERM");
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn console(&self) -> String {
        self.stdout.lock().unwrap().join("\n")
    }

    pub fn assert_no_panic(&self) {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(!log.contains("panicked"), "a panic in the log:\n{log}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
