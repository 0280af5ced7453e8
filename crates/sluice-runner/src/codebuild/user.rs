//! `run-as`: the build's shell runs as another Linux user. One shell runs
//! every phase, so a build has one user; it takes a root runner and a user
//! that exists on this machine.

use sluice_buildspec::Buildspec;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

/// The user the build runs as, `None` for the runner's own.
pub(crate) fn resolve(spec: &Buildspec) -> Result<Option<User>, String> {
    let mut wanted = spec.run_as.clone();
    for phase in &spec.phases {
        let Some(name) = &phase.run_as else { continue };
        match &wanted {
            Some(user) if user != name => {
                return Err(format!(
                    "phase {} runs as `{name}` but the build as `{user}`: sluice runs every phase in one shell, as one user",
                    phase.name.key()
                ));
            }
            _ => wanted = Some(name.clone()),
        }
    }
    let Some(name) = wanted else { return Ok(None) };
    let runner_uid = std::fs::metadata("/proc/self").map(|m| m.uid()).map_err(|e| format!("run-as: {e}"))?;
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let user = find(&passwd, &name).ok_or_else(|| format!("run-as: there is no user `{name}` on this machine"))?;
    if user.uid == runner_uid {
        return Ok(None);
    }
    if runner_uid != 0 {
        return Err(format!("run-as `{name}`: the runner must run as root to run a build as another user"));
    }
    Ok(Some(user))
}

fn find(passwd: &str, name: &str) -> Option<User> {
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() >= 4 && fields[0] == name)
            .then(|| Some(User { name: name.to_owned(), uid: fields[2].parse().ok()?, gid: fields[3].parse().ok()? }))?
    })
}

/// Gives the workspace to the user, so the build can write its files.
pub(crate) fn hand_over(dir: &Path, user: &User) -> std::io::Result<()> {
    std::os::unix::fs::lchown(dir, Some(user.uid), Some(user.gid))?;
    if std::fs::symlink_metadata(dir)?.is_dir() {
        for entry in std::fs::read_dir(dir)? {
            hand_over(&entry?.path(), user)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nbuilder:x:1001:1002::/home/builder:/bin/sh\nbad:x:y:z\n";
        assert_eq!(find(passwd, "builder"), Some(User { name: "builder".into(), uid: 1001, gid: 1002 }));
        assert_eq!(find(passwd, "bad"), None);
        assert_eq!(find(passwd, "nobody"), None);
    }

    #[test]
    fn one_user_per_build() {
        let spec =
            sluice_buildspec::parse("version: 0.2\nrun-as: a\nphases:\n  build:\n    run-as: b\n    commands: [x]\n")
                .buildspec
                .unwrap();
        assert!(resolve(&spec).unwrap_err().contains("one user"));
    }
}
