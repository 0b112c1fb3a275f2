//! Every relative link and image in README.md and docs/**/*.md points at a file or folder
//! that exists in the repository, so a guide never shows a broken picture or a dead link.
//! Web addresses and pure #anchors are not checked; code blocks and code spans are skipped.

use std::path::{Component, Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every Markdown file under docs/, in a stable order.
fn documents() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut out = vec![root().join("README.md")];
    walk(&root().join("docs"), &mut out);
    out.sort();
    out
}

/// Text with fenced code blocks and inline code spans blanked out, lines kept in place.
fn prose(text: &str) -> Vec<String> {
    let mut fenced = false;
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return String::new();
            }
            if fenced {
                return String::new();
            }
            // Alternate segments between backticks are code.
            line.split('`')
                .enumerate()
                .map(|(i, s)| if i % 2 == 0 { s } else { "" })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The targets of `[text](target)`, `![alt](target)`, `[ref]: target` and HTML
/// `src="…"`/`href="…"` on one line of prose.
fn targets(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let inner = match after.strip_prefix('<') {
            Some(angled) => angled.split('>').next().unwrap_or_default(),
            // A target ends at its closing parenthesis or before an optional "title".
            None => after
                .split(')')
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .next()
                .unwrap_or_default(),
        };
        out.push(inner.to_owned());
        rest = after;
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with('[') {
        if let Some((label, target)) = trimmed.split_once("]:") {
            if !label.contains("](") {
                if let Some(t) = target.split_whitespace().next() {
                    out.push(t.trim_matches(|c| c == '<' || c == '>').to_owned());
                }
            }
        }
    }
    for attr in ["src=\"", "href=\""] {
        for piece in line.split(attr).skip(1) {
            out.push(piece.split('"').next().unwrap_or_default().to_owned());
        }
    }
    out
}

/// A link to check, as a path relative to the document; `None` for web addresses, other
/// schemes and anchors within the same page.
fn local_path(target: &str) -> Option<String> {
    let target = target.trim();
    if target.is_empty() || target.starts_with('#') {
        return None;
    }
    let scheme = target.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if scheme || target.starts_with("//") {
        return None;
    }
    let path = target.split(['#', '?']).next().unwrap_or_default();
    Some(path.replace("%20", " "))
}

/// Where `link` in `doc` leads, or why it leads nowhere.
fn resolve(doc: &Path, link: &str) -> Result<PathBuf, String> {
    let base = if let Some(from_root) = link.strip_prefix('/') {
        root().join(from_root)
    } else {
        doc.parent().expect("a folder").join(link)
    };
    // Normalise by hand: the target may not exist, so canonicalize cannot be used.
    let mut path = PathBuf::new();
    for part in base.components() {
        match part {
            Component::ParentDir => {
                path.pop();
            }
            Component::CurDir => {}
            other => path.push(other),
        }
    }
    if !path.starts_with(root()) {
        return Err("leaves the repository".into());
    }
    if !path.exists() {
        return Err("does not exist".into());
    }
    Ok(path)
}

/// Every broken relative link of `doc`, as "file:line: target (why)".
fn broken_links(doc: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(doc).unwrap_or_else(|e| panic!("{}: {e}", doc.display()));
    let name = doc
        .strip_prefix(root())
        .unwrap_or(doc)
        .display()
        .to_string();
    let mut out = Vec::new();
    for (n, line) in prose(&text).iter().enumerate() {
        for target in targets(line) {
            let Some(link) = local_path(&target) else {
                continue;
            };
            if let Err(why) = resolve(doc, &link) {
                out.push(format!("{name}:{}: {target} ({why})", n + 1));
            }
        }
    }
    out
}

#[test]
fn every_relative_link_and_image_in_the_docs_exists() {
    let docs = documents();
    assert!(docs.len() > 1, "no docs found under {}", root().display());
    let broken: Vec<String> = docs.iter().flat_map(|d| broken_links(d)).collect();
    assert!(
        broken.is_empty(),
        "broken links in the docs:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_link_reader_finds_links_and_skips_what_it_should() {
    let line = "See [the guide](guide/README.md#start), ![shot](img/a.png \"A\"), <https://x.org>, \
                [web](https://example.com), [mail](mailto:a@b.c), [here](#top) and [b](<my file.md>).";
    let found: Vec<Option<String>> = targets(line).iter().map(|t| local_path(t)).collect();
    assert_eq!(
        found,
        vec![
            Some("guide/README.md".to_owned()),
            Some("img/a.png".to_owned()),
            None,
            None,
            None,
            Some("my file.md".to_owned()),
        ]
    );
    assert_eq!(
        targets("[logo]: ../assets/logo.png \"Logo\""),
        vec!["../assets/logo.png".to_owned()]
    );
    assert_eq!(
        targets("<img src=\"img/b.png\" alt=\"b\">"),
        vec!["img/b.png".to_owned()]
    );
    let code = prose("```sh\n[x](missing.md)\n```\nuse `[y](missing.md)` here");
    assert!(code.iter().all(|l| targets(l).is_empty()), "{code:?}");
    let doc = root().join("docs/guide/README.md");
    assert!(resolve(&doc, "../../README.md").is_ok());
    assert_eq!(
        resolve(&doc, "../../../elsewhere.md").unwrap_err(),
        "leaves the repository"
    );
    assert_eq!(
        resolve(&doc, "nothing-here.md").unwrap_err(),
        "does not exist"
    );
}
