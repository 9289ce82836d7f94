#!/usr/bin/env python3
"""Rewrite citations of documents outside the repository into citations of its own notes.

The code and READMEs once cited files that lived next to the clone (paper digests under
shared/papers/, shared/STYLE.md, shared/backend-findings.md, shared/bench-peers/). Their
content now lives in the repository:

  chapter method notes          chapters/<key>/NOTES.md   (same section numbers as before)
  conversion basics and energy  docs/conversion-notes.md  (§0.x, §1, §2, §7.x)
  conventions                   docs/conventions.md       (C1.4, C4, C5, C6, C7)
  backend facts                 docs/backend-notes.md     (§0, §3.5, §4.1, ...)
  peers' benchmark workloads    Benchmarks/peers/         (snnbench.py, setup.sh, README.md)

Usage:
  python3 tools/rewrite-citations.py FILE...          rewrite in place, print every change
  python3 tools/rewrite-citations.py --dry-run FILE... print the changes, write nothing
  python3 tools/rewrite-citations.py --check FILE...   list what still looks like an outside
                                                       citation (exit 1 if anything is left)

Paths may be given relative to the repository root or absolute; directories are walked
(.swift, .md, .py, .sh and extension-less scripts). The rewrite is idempotent: running it
twice changes nothing the second time. "digest" in the sense of a hash (SHA-256, MD5,
checksums in Sources/Datasets) is never touched: only "digest" followed by a section sign,
a digest file name, or (inside chapters/ and Tests/<Method>Tests/) the word used for the
chapter's paper notes is rewritten.
"""
import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONVERSION_NOTES = "docs/conversion-notes.md"
CONVENTIONS = "docs/conventions.md"
BACKEND_NOTES = "docs/backend-notes.md"
PEERS_DIR = "Benchmarks/peers"

# Which notes file replaces each former digest.
DIGEST_FILES = {
    "conversion-baselines-and-energy.md": "conversion",
    "conversion-baselines-and-energy": "conversion",
    "ding2021-rnl.md": "rnl",
    "datta2022-ultra-low-latency.md": "ultralow",
    "datta2021-hybrid-encoding.md": "hybrid",
    "rathi-dietsnn-stdb.md": "diet",
    "datta2023-hoyer.md": "hoyer",
    "kundu2021-attention-compression.md": "attention",
}
# Words that name a digest in front of "digest" ("hoyer digest §3", "conversion digest §5.3").
DIGEST_NAMES = {
    "conversion": "conversion", "rnl": "rnl", "ultralow": "ultralow", "hybrid": "hybrid",
    "hoyer": "hoyer", "attention": "attention",
}
# Test targets that cite their chapter's notes.
TEST_CHAPTERS = {
    "HybridMethodTests": "hybrid", "HoyerMethodTests": "hoyer",
    "UltralowMethodTests": "ultralow", "AttentionMethodTests": "attention",
    "RNLMethodTests": "rnl",
}
# Core-module files that cite a chapter's paper rather than the conversion basics.
SOURCE_CHAPTERS = {
    "Sources/SpikingNeurons/TemporalMapping.swift": "hybrid",   # hybrid input encoding
    "Sources/NeuralNetworks/SparseMomentum.swift": "attention",  # sparse momentum
}
# Sections of the conversion digest that live in docs/conversion-notes.md; its other
# sections (the baselines' recipes and figures) live in chapters/classic/NOTES.md.
SHARED_CONVERSION_SECTIONS = re.compile(r"§(?:0(?:\.\d+)?|1|2|7(?:\.\d+)?)(?![\d.]*\d)")

# Phrases that need a hand-made rewrite (checked before the general rules).
LITERAL = [
    ("See `../shared/STYLE.md`-derived\nconventions in each module's doc comments.",
     "The conventions the code follows\n(presets, results files, labels and units, test "
     "families) are written down in\n[docs/conventions.md](docs/conventions.md); the methods "
     "in `chapters/<key>/NOTES.md` and\n[docs/conversion-notes.md](docs/conversion-notes.md)."),
    ("the small net of the digests' CPU-scale plans",
     "the small net of the CPU-scale plans in the chapters' NOTES.md"),
    ("(digests in shared/papers/)", "(each chapter's NOTES.md)"),
    ("The peers' workloads come from shared/bench-peers/snnbench.py, used in place (not copied).",
     "The peers' workloads are Benchmarks/peers/snnbench.py (this repository's own code)."),
    ("the layer order of bench-peers' torch-ann",
     "the layer order of torch-ann in Benchmarks/peers/snnbench.py"),
    ("(imported, not copied)", "(imported)"),
    ("summarised in `shared/papers/rathi-dietsnn-stdb.md`",
     "summarised in `NOTES.md` §D2 (DIET-SNN, Rathi & Roy)"),
]


def rel(path):
    return os.path.relpath(os.path.abspath(path), ROOT).replace(os.sep, "/")


def note_path(digest, section=None):
    """The repository path of the notes that replace `digest` (a key of DIGEST_NAMES)."""
    if digest == "conversion":
        if section is None or SHARED_CONVERSION_SECTIONS.match(section):
            return CONVERSION_NOTES
        return "chapters/classic/NOTES.md"
    if digest == "diet":
        return "chapters/hybrid/NOTES.md"
    return "chapters/%s/NOTES.md" % digest


def default_digest(path):
    """The digest a bare "digest §X" refers to in the file at repository path `path`."""
    parts = path.split("/")
    if parts[0] == "chapters" and len(parts) > 2:
        return "conversion" if parts[1] in ("classic", "compare") else parts[1]
    if parts[0] == "Tests" and len(parts) > 1 and parts[1] in TEST_CHAPTERS:
        return TEST_CHAPTERS[parts[1]]
    return SOURCE_CHAPTERS.get(path, "conversion")


def chapter_of(path):
    parts = path.split("/")
    if parts[0] == "chapters" and len(parts) > 2:
        return parts[1]
    return None


def shown(target, path):
    """`target` as written in the file at `path`: relative inside the same chapter."""
    chapter = chapter_of(path)
    if chapter and target == "chapters/%s/NOTES.md" % chapter:
        return "NOTES.md"
    return target


def cites_chapter_notes(path):
    """Files where a bare "digest" (no section) means the chapter's paper notes."""
    parts = path.split("/")
    return (parts[0] == "chapters" and len(parts) > 2 and parts[1] != "compare") or (
        parts[0] == "Tests" and len(parts) > 1 and parts[1] in TEST_CHAPTERS)


NAME_RE = r"(?:conversion|rnl|RNL|ultralow|hybrid|hoyer|attention)"
SEC_RE = r"§(?:\d+(?:\.\d+)*|READ THIS FIRST)"
# "[name ]digest['s][ file] §X" and "companion §X"; the gap may break a line (with a // prefix).
CITE_RE = re.compile(
    r"(?P<name>\b" + NAME_RE + r"\s+)?(?P<the>\b[Tt]he\s+)?\bdigest(?P<poss>'s)?"
    r"(?:\s+(?P<file>conversion-baselines-and-energy(?:\.md)?|[\w-]+\d{4}[\w-]*\.md))?"
    r"(?P<ws>[ \t]*\n?[ \t]*(?:///?[ \t]*)?)(?P<sec>" + SEC_RE + r")")
COMPANION_RE = re.compile(r"\bcompanion\s+(?P<sec>§7(?:\.\d+)*)")
PAPER_PATH_RE = re.compile(r"(?:/work/|\.\./)?shared/papers/(?P<file>[\w.-]+\.md)")
STYLE_RE = re.compile(r"(?:\.\./)?(?:shared/)?STYLE(?:\.md)?(?P<ws>\s+)(?P<label>C\d+(?:\.\d+)?)")
BACKEND_RE = re.compile(r"(?:\.\./)?(?:shared/)?backend-findings(?:\.md)?(?=[\s).,;:'`]|$)")
PEERS_FILE_RE = re.compile(
    r"(?:/work/|\.\./)?(?:shared/)?bench-peers/(?P<file>snnbench\.py|setup\.sh|RESULTS\.md)")
PEERS_DIR_RE = re.compile(r"(?:/work/|\.\./)?shared/bench-peers/?(?![\w.])")


def line_contexts(text, path):
    """The digest in force on every line: a named one ("hoyer digest") carries on to the
    bare citations of the following lines until a blank line; otherwise the file's default."""
    default = default_digest(path)
    contexts, current = [], None
    for line in text.split("\n"):
        if not line.strip():
            current = None
        names = re.findall(r"\b(" + NAME_RE + r")\s+digest", line)
        contexts.append((current or default, names))
        if names:
            current = DIGEST_NAMES[names[-1].lower()]
    return contexts


def rewrite_text(text, path):
    for old, new in LITERAL:
        text = text.replace(old, new)

    contexts = line_contexts(text, path)
    line_starts = [m.start() for m in re.finditer(r"^", text, re.M)]

    def context_at(offset):
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return contexts[lo][0]

    def cite(m):
        sec = m.group("sec")
        if m.group("file"):
            digest = DIGEST_FILES.get(m.group("file"), "conversion")
        elif m.group("name"):
            digest = DIGEST_NAMES[m.group("name").strip().lower()]
        else:
            digest = context_at(m.start())
        target = shown(note_path(digest, sec), path)
        the = m.group("the") if m.group("poss") and m.group("the") else ""
        if sec == "§READ THIS FIRST":
            return "%s%s%s\"Read this first\"" % (the, target, m.group("ws") or " ")
        return "%s%s%s%s" % (the, target, m.group("ws"), sec)

    text = CITE_RE.sub(cite, text)
    text = COMPANION_RE.sub(lambda m: "%s %s" % (shown(CONVERSION_NOTES, path), m.group("sec")),
                            text)

    # Paths of digest files, then the words around them.
    def paper(m):
        digest = DIGEST_FILES.get(m.group("file"))
        if digest is None:
            return m.group(0)
        return shown(note_path(digest), path)   # DIET-SNN sections are §D… in the hybrid notes

    text = PAPER_PATH_RE.sub(paper, text)
    notes_path = r"`?(?:chapters/\w+/)?NOTES\.md|`?docs/conversion-notes\.md"
    text = re.sub(r"\bDigest:(\s+)(?=" + notes_path + r")", r"Method notes:\1", text)
    text = re.sub(r"\b(?:the\s+)?digest(\s+)(?=" + notes_path + r")", r"the method notes\1",
                  text)
    text = re.sub(r"\bdigest(\s*(?:\n\s*//\s*)?)=(\s*(?:\n\s*//\s*)?)(?=" + notes_path + r")",
                  r"notes\1=\2", text)

    if cites_chapter_notes(path):
        target = shown(note_path(default_digest(path), "§8"), path)
        # "the digest's X" / "The digest's X" -> "NOTES.md's X"; "the digest" -> "NOTES.md".
        text = re.sub(r" ?\b[Tt]he(\n[ \t]*///?[ \t]*)digest's\b", r"\1" + target + "'s", text)
        text = re.sub(r"\b[Tt]he\s+digest's\b", target + "'s", text)
        text = re.sub(r"\bdigest's\b", target + "'s", text)
        text = re.sub(r"\b[Tt]he\s+digest\b(?!s)", target, text)
        text = re.sub(r"\bdigest\b(?!s)", target, text)

    # Conventions, backend notes, peers' workloads.
    text = STYLE_RE.sub(lambda m: "%s%s%s" % (CONVENTIONS, m.group("ws"), m.group("label")), text)
    text = BACKEND_RE.sub(BACKEND_NOTES, text)

    def peers_file(m):
        name = m.group("file")
        return "%s/%s" % (PEERS_DIR, "README.md" if name == "RESULTS.md" else name)

    text = PEERS_FILE_RE.sub(peers_file, text)
    text = PEERS_DIR_RE.sub(PEERS_DIR + "/", text)
    text = text.replace("$ROOT/" + PEERS_DIR + "/}", "$ROOT/" + PEERS_DIR + "}")
    text = text.replace("--peers-dir " + PEERS_DIR + "/ ", "--peers-dir " + PEERS_DIR + " ")
    return text


# What still looks like a citation of something outside the repository.
CHECK_RE = re.compile(r"digest|shared/|STYLE [A-Z][0-9]|STYLE\.md|backend-findings|bench-peers")
# "digest" meaning a hash: SHA-256/MD5 code and checksum prose (never rewritten).
HASH_RE = re.compile(
    r"SHA|MD5|_digest|hexdigest|hexDigest|digest\(of|digests\b|checksum|16-byte digest|"
    r"32-byte digest|hexadecimal digest|digest of|digest for it|file's digest|digest differs|"
    r"digest the loaders|content digest|hex digest|the digest can tell|let digest|digest:|"
    r"digest\.joined|same digest|background digest|a hex digest|digest\.$|^\s*///?\s*digest\.")


def is_hash_line(path, line):
    """True when the only outside-looking word is "digest" in the sense of a hash."""
    if set(m.group(0) for m in CHECK_RE.finditer(line)) != {"digest"} or re.search(
            r"digest\W{0,3}§", line):
        return False
    return path.startswith(("Sources/Datasets/", "Tests/DatasetsTests/")) or bool(
        HASH_RE.search(line))


def files_in(args):
    for arg in args:
        if os.path.isdir(arg):
            for base, dirs, names in os.walk(arg):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in sorted(names):
                    if name.endswith((".swift", ".md", ".py", ".sh")) or "." not in name:
                        yield os.path.join(base, name)
        else:
            yield arg


def main(argv):
    mode = "write"
    if argv and argv[0] in ("--dry-run", "--check"):
        mode, argv = argv[0][2:], argv[1:]
    if not argv:
        print(__doc__)
        return 2
    changed_files = changed_lines = left = 0
    for name in files_in(argv):
        path = rel(name)
        with open(name, encoding="utf-8") as f:
            old = f.read()
        if mode == "check":
            for number, line in enumerate(old.split("\n"), 1):
                if CHECK_RE.search(line) and not is_hash_line(path, line):
                    left += 1
                    print("%s:%d: %s" % (path, number, line.strip()))
            continue
        new = rewrite_text(old, path)
        if new == old:
            continue
        changed_files += 1
        a, b = old.split("\n"), new.split("\n")
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            changed_lines += max(i2 - i1, j2 - j1)
            print("%s:%d:" % (path, i1 + 1))
            for line in a[i1:i2]:
                print("  - " + line.strip())
            for line in b[j1:j2]:
                print("  + " + line.strip())
        if mode == "write":
            with open(name, "w", encoding="utf-8") as f:
                f.write(new)
    if mode == "check":
        print("%d line(s) still cite something outside the repository" % left)
        return 1 if left else 0
    print("%s: %d line(s) in %d file(s)" % ("would change" if mode == "dry-run" else "changed",
                                            changed_lines, changed_files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
