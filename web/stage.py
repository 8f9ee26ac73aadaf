"""web/stage.py LESSONS_DIR INDEX_TEMPLATE OUT_DIR: the lessons beside the page.

Copies every lesson file the window reads (not the scripts that made them)
to OUT_DIR/lessons/, and writes OUT_DIR/index.html from the template with
  <!--LESSONS-->  the lesson list's options, from the lessons' own titles;
  /*FILES*/{}     every file under lessons/ with its size in bytes;
  /*NEEDS*/{}     per lesson, the paths its front matter names (corpus,
                  data, validation, models), which the page downloads
                  before it opens the first lesson.
The window finds the same paths with the real lesson parser when a lesson
is opened (app_web_files_ready), so this list only needs to be right for
the page's first lesson to open without waiting. Both outputs are written
to a temporary name and renamed.
"""
import html
import json
import os
import re
import shutil
import sys

PATH_KEYS = ("corpus", "data", "validation", "models")


def front_matter(text):
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}
    out = {}
    for line in lines[1:]:
        if line.strip() == "---":
            break
        m = re.match(r'^([a-z_]+):\s*(.*?)\s*$', line)
        if m:
            v = m.group(2)
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
                v = v[1:-1]
            out[m.group(1)] = v
    return out


def main():
    lessons, template, out = sys.argv[1:4]
    files, needs, options = {}, {}, []
    for root, dirs, names in os.walk(lessons):
        dirs.sort()
        for n in sorted(names):
            if n.endswith((".py", ".sh")) or n.startswith("."):
                continue
            rel = os.path.relpath(os.path.join(root, n), lessons).replace(os.sep, "/")
            files[rel] = os.path.getsize(os.path.join(root, n))
    for n in sorted(os.listdir(lessons)):
        if not (n.endswith(".md") and n[0].isdigit()):
            continue
        fm = front_matter(open(os.path.join(lessons, n), encoding="utf-8").read())
        needs[n] = [fm[k] for k in PATH_KEYS if fm.get(k)]
        options.append('<option value="%s">%s · %s</option>'
                       % (html.escape(n), html.escape(n[:2]), html.escape(fm.get("title", n))))
    dest = os.path.join(out, "lessons")
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    for rel in files:
        os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
        shutil.copyfile(os.path.join(lessons, rel), os.path.join(tmp, rel))
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    page = open(template, encoding="utf-8").read()
    for mark, value in (("<!--LESSONS-->", "".join(options)),
                        ("/*FILES*/{}", json.dumps(files, separators=(",", ":"))),
                        ("/*NEEDS*/{}", json.dumps(needs, separators=(",", ":")))):
        if mark not in page:
            sys.exit("web/stage.py: %s has no %s" % (template, mark))
        page = page.replace(mark, value)
    with open(os.path.join(out, "index.html.tmp"), "w", encoding="utf-8") as f:
        f.write(page)
    os.rename(os.path.join(out, "index.html.tmp"), os.path.join(out, "index.html"))
    total = sum(files.values())
    print("web/stage.py: %d lesson files (%.1f MB) in %s, downloaded a lesson at a time"
          % (len(files), total / 1e6, dest), file=sys.stderr)


if __name__ == "__main__":
    main()
