#!/usr/bin/env python3
"""make_manpage: writes unroll(1) from the binary's own --help texts.

    python3 data/make_manpage.py BUILD/unroll OUT.1

The build runs it on the binary it has just linked, so the page always says
what `unroll --help` and `unroll COMMAND --help` say: the commands are the
ones `unroll --help` lists, each with its --help text word for word.
"""
import os
import re
import subprocess
import sys


def run_help(binary, args):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([binary] + args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        sys.exit("make_manpage: `unroll %s` failed (%d): %s" % (" ".join(args), done.returncode, done.stderr.strip()))
    return done.stdout


def commands_of(top_help):
    """The command names in the 'commands:' block of `unroll --help`."""
    names, inside = [], False
    for line in top_help.splitlines():
        if line.strip() == "commands:":
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            m = re.match(r"^  \[?([a-z]+)\]?\s", line)
            if m and m.group(1) not in names:
                names.append(m.group(1))
    if not names:
        sys.exit("make_manpage: `unroll --help` lists no commands")
    return names


def esc(text):
    """troff-safe text, one output line per input line."""
    out = []
    for line in text.rstrip("\n").split("\n"):
        line = line.replace("\\", "\\e").replace("-", "\\-")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def verbatim(text):
    return ".nf\n" + esc(text) + "\n.fi\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_manpage.py UNROLL_BINARY OUT.1")
    binary, out_path = sys.argv[1], sys.argv[2]
    top = run_help(binary, ["--help"])
    version = run_help(binary, ["--version"]).splitlines()[0].split()[-1]
    page = []
    page.append('.TH UNROLL 1 "" "unroll %s" "User Commands"' % version)
    page.append(".SH NAME\nunroll \\- step through recurrent neural networks one timestep at a time")
    page.append(".SH SYNOPSIS\n.B unroll\n[\\fICOMMAND\\fR] [\\fIARGS\\fR]\n.br\n.B unroll\n\\fICOMMAND\\fR \\fB\\-\\-help\\fR")
    page.append(".SH DESCRIPTION\nThis is what\n.B unroll \\-\\-help\nprints:\n.PP\n" + verbatim(top))
    page.append(".SH COMMANDS\nEach command's\n.B \\-\\-help\ntext:")
    for name in commands_of(top):
        page.append(".SS %s\n" % name + verbatim(run_help(binary, [name, "--help"])))
    page.append(""".SH ENVIRONMENT
.TP
.B UNROLL_DATA_DIR
The folder holding
.I lessons/
(instead of the installed
.IR PREFIX/share/unroll ).
.TP
.B UNROLL_LESSONS_DIR
The lessons folder itself.
.TP
.B UNROLL_FONT_DIR
Where the DejaVu fonts are, when not in Debian's folder.
.TP
.B UNROLL_MEMORY_LIMIT
The memory budget for what a file or text can make unroll allocate (default 4G; any size with K, M, G or T).
.TP
.B OPENBLAS_CORETYPE
OpenBLAS' kernel family; unroll never overrides one you set.
.SH FILES
.TP
.I PREFIX/share/unroll/lessons/
The lessons, their corpora, data and trained models; an installed
.I PREFIX/bin/unroll
finds them relative to itself.
.SH EXIT STATUS
0 on success; 2 on any error, with one line on standard error; 130 after Ctrl+C and 143 after SIGTERM, leaving no partial output.
.SH SEE ALSO
.B unroll \\-\\-version
names the libraries unroll runs with and the lessons folder it reads.
""")
    text = "\n".join(page)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main()
