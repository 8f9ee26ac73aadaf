"""The browser test: build-web/ served on 127.0.0.1, Debian's chromium
headless driven through the DevTools protocol (python3-websocket).

Checks that the page loads and becomes interactive, that the first lesson is
drawn (colours of the page's screenshot: the theme's background and the
lesson panel), that the right arrow steps forward (the step counter the page
reports changes), and that the numbers the window shows at that step equal
the native build's `unroll trace` of the same sentence. Training in the page
(webtrain): the training view (5), its epochs halved to 3 (e five times),
Enter: the epoch counter advances while the run goes on in slices of the
frame loop, every cell's loss is finite and the run finishes. Keras' own
files (.keras and .h5: a SimpleRNN, an LSTM, a GRU) given to the file picker
open, and h at two steps equals the native build's; each damaged or refused
one in tests/fixtures/keras/bad gives the native build's message. Prints the figures (time to interactive,
download size, frame time, seconds per training epoch) for the benchmark.

  python3 web/test_browser.py BUILD_WEB_DIR NATIVE_UNROLL [--shot out.png]
Exit 0 when every check holds, 1 otherwise, 77 (skip) without chromium.
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zlib

try:
    import websocket  # python3-websocket
except ImportError:
    websocket = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nothing answers at " + url)


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.n = 0

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r.get("result", {}).get("value")

    def key(self, key, code, vk):
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                      windowsVirtualKeyCode=vk, nativeVirtualKeyCode=vk)


def png_pixels(data):
    """Decodes an 8-bit RGB/RGBA PNG (what Chromium writes) to rows of (r,g,b)."""
    pos, chunks, w = 8, [], 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "unexpected PNG type"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + n
    raw = zlib.decompress(b"".join(chunks))
    stride, rows, prev = w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return rows


def downloaded(site, base, urls):
    """Bytes of the files of build-web/ behind urls, as sent and compressed."""
    size = gz = 0
    for rel in sorted(set(urllib.parse.unquote(u[len(base):].split("?")[0]) for u in urls if u.startswith(base))):
        path = os.path.join(site, rel)
        if os.path.isfile(path):
            data = open(path, "rb").read()
            size += len(data)
            gz += len(zlib.compress(data, 9))
    return size, gz


def check_other_lesson(page, check, native, root):
    """Lesson 2 from the window's lesson list (o, 2): its files come when it
    is opened, the window says so, and then the lesson opens with the numbers
    the native build computes for its sentence."""
    state = lambda: json.loads(page.eval("UTF8ToString(Module._unroll_web_state())"))
    page.eval("Module.canvas.focus()")
    page.key("o", "KeyO", 79)
    time.sleep(0.2)
    page.key("2", "Digit2", 50)
    seen, opened = set(), None
    for _ in range(300):
        st = state()
        if st["message"]:
            seen.add(st["message"].split("\u2026")[0])
        if st["title"] == "Remembering across a sentence" and not st["message"].startswith("downloading"):
            opened = st
            break
        time.sleep(0.05)
    fetched = page.eval("performance.getEntriesByType('resource').map(e => e.name)") or []
    check(opened is not None and any("/lessons/memory/models/" in u for u in fetched),
          "o, 2 downloads lesson 2's files and opens it (%s; said %s)"
          % (opened["title"] if opened else "not opened", sorted(seen)))
    if not opened:
        return
    model = {"SimpleRNN": "simplernn", "GRU": "gru", "LSTM": "lstm"}.get(opened["model"].split()[0], "lstm")
    out = subprocess.run([native, "trace", os.path.join(root, "lessons", "memory", "models", model),
                          "--text", opened["input"]], capture_output=True, text=True)
    if out.returncode != 0 or opened["step"] < 0:
        check(False, "native trace of lesson 2's sentence (%s)" % out.stderr.strip())
        return
    rec = next(l for l in json.loads(out.stdout)["layers"] if "runs" in l)["runs"][0]["steps"][opened["step"]]["h"]
    diff = max(abs(a - b) for a, b in zip(rec, opened["h"]))
    check(len(rec) == len(opened["h"]) and diff < 1e-5,
          "lesson 2 downloaded: h at step %d equals the native build's (%d units, largest difference %.2g)"
          % (opened["step"], len(rec), diff))
    check(page.eval("document.getElementById('lessons').value") == "02-memory.md"
          and page.eval("location.search") == "?lesson=02-memory.md",
          "the page's lesson list and address follow the window's lesson")
    # the page's own lesson list: lesson 3 opens in the window, without a reload
    page.eval("window.unrollStay = 1; const s = document.getElementById('lessons'); s.value = '03-sentiment.md';"
              " s.dispatchEvent(new Event('change'))")
    for _ in range(300):
        st = state()
        if st["title"] != opened["title"] and not st["message"].startswith("downloading"):
            break
        time.sleep(0.05)
    check(st["title"] != opened["title"] and st["open"] and st["T"] > 0 and page.eval("window.unrollStay") == 1
          and page.eval("document.activeElement === Module.canvas"),
          "the page's lesson list opens lesson 3 in the window (%s), keys go to the window" % st["title"])


def native_h(native, model, st, step):
    """h of the first recurrent layer after STEP in the native `unroll trace`
    of the input the page shows (token ids, features or a sentence)."""
    text = st["input"].strip()
    if text.startswith("["):
        how = ["--input", text]
    elif text and all(c in "0123456789-, " for c in text):
        how = ["--tokens", ",".join(t for t in text.replace(",", " ").split())]
    else:
        how = ["--text", text]
    out = subprocess.run([native, "trace", model] + how, capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    doc = json.loads(out.stdout)
    return next(l for l in doc["layers"] if "runs" in l)["runs"][0]["steps"][step]["h"], ""


def check_keras_files(page, state, check, native, node, fixtures):
    """Keras' own files through the page's file picker: a .keras and a .h5 of
    the same SimpleRNN, an LSTM .h5 and a GRU .keras open in the window (src/io/keras_io.c,
    as natively), and h at two steps equals the native build's to 1e-5. The
    order alternates the models, so each opening changes the window's title."""
    for name in ("simple_rnn_basic.keras", "lstm_basic.h5", "simple_rnn_basic.h5", "gru_reset_after_basic.keras"):
        before = state()
        page.call("DOM.setFileInputFiles", nodeId=node, files=[os.path.join(fixtures, name)])
        got = None
        for _ in range(100):  # a file it cannot read leaves a message and the title
            time.sleep(0.1)
            got = state()
            if got["open"] and got["title"] != before["title"]:
                break
        ok = got["open"] and got["title"] != before["title"] and name.split(".")[0] in got["title"] and got["T"] > 0
        check(ok, "the page opens %s (title %r, message %r)" % (name, got["title"], got["message"]))
        if got["message"]:  # "no vocabulary: token ids only" for these
            page.key("Escape", "Escape", 27)
            time.sleep(0.2)
        if not ok:
            continue
        diffs = []
        for k in range(2):
            st = state()
            want, err = native_h(native, os.path.join(fixtures, name), st, st["step"])
            if want is None or len(want) != len(st["h"]) or not want:
                diffs = None
                check(False, "native trace of %s (%s; %d numbers in the page)" % (name, err, len(st["h"])))
                break
            diffs.append((st["step"], len(want), max(abs(a - b) for a, b in zip(want, st["h"]))))
            if k == 0:  # then one step on (or back, at the last step)
                page.eval("Module.canvas.focus()")
                back = st["step"] >= st["T"] - 1
                page.key(*(("ArrowLeft", "ArrowLeft", 37) if back else ("ArrowRight", "ArrowRight", 39)))
                time.sleep(0.4)
        if diffs is not None:
            check(diffs[0][0] != diffs[1][0] and all(d < 1e-5 for _, _, d in diffs),
                  "%s: h equals the native build's at steps %s (%d units, largest difference %.2g)"
                  % (name, [s for s, _, _ in diffs], diffs[0][1], max(d for _, _, d in diffs)))


def check_bad_keras_files(page, state, check, native, node, bad):
    """Every damaged or refused Keras file in tests/fixtures/keras/bad through
    the file picker: the window shows the native build's message for it (the
    same words, the page's path /user/NAME) and the model open before stays."""
    same, differ = 0, []
    for name in sorted(os.listdir(bad)):
        out = subprocess.run([native, "trace", os.path.join(bad, name), "--tokens", "1"], capture_output=True, text=True)
        if out.returncode == 0:
            continue  # read natively: nothing to refuse
        want = out.stderr.strip().replace("unroll trace: " + os.path.join(bad, name), "/user/" + name)
        before = state()
        page.call("DOM.setFileInputFiles", nodeId=node, files=[os.path.join(bad, name)])
        got = None
        for _ in range(100):
            time.sleep(0.05)
            got = state()
            if got["message"] or got["title"] != before["title"]:
                break
        if got["message"] == want and got["title"] == before["title"]:
            same += 1
        else:
            differ.append("%s: %r (title %r)" % (name, got["message"], got["title"]))
        if got["message"]:
            page.key("Escape", "Escape", 27)
            time.sleep(0.1)
    check(same > 0 and not differ, "%d damaged or refused Keras files give the native build's message in the page "
          "and the model before stays%s" % (same, "; not: " + "; ".join(differ) if differ else ""))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    site, native = sys.argv[1], sys.argv[2]
    shot = sys.argv[sys.argv.index("--shot") + 1] if "--shot" in sys.argv else None
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or websocket is None:
        print("browser test: skipped (needs Debian's chromium and python3-websocket)")
        return 77
    failures = []

    def check(ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    here = os.path.dirname(os.path.abspath(__file__))
    port = free_port()
    server = subprocess.Popen([sys.executable, os.path.join(here, "server.py"), site, str(port)])
    profile = tempfile.mkdtemp(prefix="unroll-chromium-")
    dport = free_port()
    browser = subprocess.Popen([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--use-gl=swiftshader",
                                "--enable-unsafe-swiftshader", "--no-first-run", "--disable-extensions",
                                "--user-data-dir=" + profile, "--remote-debugging-port=%d" % dport,
                                "--window-size=1280,800", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = "http://127.0.0.1:%d/" % port
        wait_http(base + "index.html", 20)
        targets = json.loads(wait_http("http://127.0.0.1:%d/json/list" % dport, 30))
        page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Runtime.enable")
        t0 = time.time()
        page.call("Page.navigate", url=base + "index.html?lesson=01-lyrics.md")
        state = None
        while time.time() - t0 < 90:
            ready = page.eval("window.unrollReady ? 1 : 0")
            if ready:
                state = page.eval("typeof Module !== 'undefined' && Module._unroll_web_state ? "
                                  "UTF8ToString(Module._unroll_web_state()) : ''")
                if state and json.loads(state).get("open"):
                    break
            time.sleep(0.05)
        interactive = time.time() - t0
        # what the page downloaded to open lesson 1: its resources, by name
        # (the server sends them uncompressed: zlib at level 9 stands for gzip)
        fetched = page.eval("performance.getEntriesByType('resource').map(e => e.name)") or []
        fetched.append(base + "index.html")
        size, gz = downloaded(site, base, fetched)
        all_size, all_gz = downloaded(site, base, [base + os.path.relpath(os.path.join(r, f), site)
                                                   for r, _, fs in os.walk(site) for f in fs])
        # the page with one lesson opened, for every lesson: the largest
        needs = json.loads(page.eval("JSON.stringify(UNROLL_NEEDS)"))
        files = json.loads(page.eval("JSON.stringify(UNROLL_FILES)"))
        shell = [base + f for f in ("index.html", "unroll.js", "unroll.wasm", "unroll.data")]
        shell += [base + "lessons/" + f for f in files if "/" not in f]
        one = {}
        for name, paths in needs.items():
            mine = [f for f in files if any(f == p or f.startswith(p + "/") for p in paths)]
            one[name] = downloaded(site, base, shell + [base + "lessons/" + f for f in mine])
        biggest = max(one, key=lambda n: one[n][1])
        check(any(u.endswith("lessons/lyrics/lanterns.txt") for u in fetched)
              and not any("/lessons/memory/" in u or "/lessons/dropout/" in u for u in fetched),
              "the page downloads lesson 1's files and not the other lessons' (%d files)" % len(fetched))
        check(bool(state) and json.loads(state).get("open"), "the page loads and opens lesson 1 (%.2f s)" % interactive)
        if not state:
            err = page.eval("document.getElementById('status').textContent")
            print("page status:", err)
            return 1
        time.sleep(0.5)
        s0 = json.loads(page.eval("UTF8ToString(Module._unroll_web_state())"))
        png = base64.b64decode(page.call("Page.captureScreenshot", format="png")["data"])
        if shot:
            open(shot, "wb").write(png)
        px = png_pixels(png)
        h, w = len(px), len(px[0])
        # the canvas starts under the 34 px bar; the light theme's page is drawn on it
        canvas = [px[y][x] for y in range(40, h, 7) for x in range(0, w, 7)]
        counts = {}
        for c in canvas:
            counts[c] = counts.get(c, 0) + 1
        top, n_top = max(counts.items(), key=lambda kv: kv[1])
        check(n_top > len(canvas) * 0.3 and sum(top) > 600,
              "the canvas is drawn: its commonest colour %s covers %.0f%% (a light background)"
              % (top, 100.0 * n_top / len(canvas)))
        check(len(counts) > 40, "the lesson is drawn in many colours (%d), not a blank canvas" % len(counts))
        # the right arrow: one step forward
        page.eval("Module.canvas.focus()")
        page.key("ArrowRight", "ArrowRight", 39)
        time.sleep(0.4)
        s1 = json.loads(page.eval("UTF8ToString(Module._unroll_web_state())"))
        check(s1["step"] == s0["step"] + 1 or (s0["step"] == s0["T"] - 1 and s1["step"] == s0["step"]),
              "-> steps forward (step %d -> %d of %d)" % (s0["step"], s1["step"], s1["T"]))
        # the numbers shown: h at that step equals the native trace's
        model = {"SimpleRNN": "simplernn", "GRU": "gru", "LSTM": "lstm"}.get(s1["model"].split()[0], "lstm")
        out = subprocess.run([native, "trace", os.path.join(os.path.dirname(here), "lessons", "lyrics", "models", model),
                              "--text", s1["input"]], capture_output=True, text=True)
        check(out.returncode == 0, "native trace of %r (%s)" % (s1["input"], out.stderr.strip()))
        if out.returncode == 0:
            doc = json.loads(out.stdout)
            rec = next(l for l in doc["layers"] if "runs" in l)["runs"][0]["steps"][s1["step"]]["h"]
            diff = max(abs(a - b) for a, b in zip(rec, s1["h"]))
            check(len(rec) == len(s1["h"]) and diff < 1e-5,
                  "h at step %d equals the native build's (%d units, largest difference %.2g)"
                  % (s1["step"], len(rec), diff))
        state = lambda: json.loads(page.eval("UTF8ToString(Module._unroll_web_state())"))
        # webtrain: training in the page, a slice of the frame loop at a time
        page.eval("Module.canvas.focus()")
        page.key("5", "Digit5", 53)
        for _ in range(5):  # 120 epochs halved to 3
            page.key("e", "KeyE", 69)
        time.sleep(0.2)
        check(state()["view"] == "training", "5 opens the training view (%s)" % state()["view"])
        # the longest gap between animation frames while the run goes on
        page.eval("window.unrollGaps = []; (function f(t0) { requestAnimationFrame(function (t) {"
                  " if (t0) window.unrollGaps.push(t - t0); if (!window.unrollGapsStop) f(t); }); })(0)")
        page.key("Enter", "Enter", 13)
        seen, t_train, tr = [], time.time(), None
        while time.time() - t_train < 300:
            tr = state()["train"]
            # epochs done over the three cells (9 in all): a few tenths of a second
            seen.append(sum(c["epochs_done"] for c in tr["cells"]))
            if tr["finished"]:
                break
            time.sleep(0.01)
        page.eval("window.unrollGapsStop = true")
        gaps = sorted(page.eval("window.unrollGaps") or [0])
        check(tr is not None and tr["finished"] and not tr["failed"] and tr["epochs"] == 3,
              "Enter trains in the page and the run finishes (%s)" % json.dumps(tr)[:300])
        check(len(set(seen)) >= 3 and seen == sorted(seen),
              "the epoch counter advances while the run goes on (%s)" % sorted(set(seen)))
        cells = tr["cells"] if tr else []
        check(len(cells) == 3 and all(c["epochs_done"] == 3 and isinstance(c["loss"], float)
                                      and c["loss"] == c["loss"] and 0 < c["loss"] < 50 for c in cells),
              "every cell trained 3 epochs to a finite loss (%s)" % [c["loss"] for c in cells])
        # Esc cancels a run in the page: the models trained above stay (h unchanged)
        if state()["message"]:
            page.key("Escape", "Escape", 27)  # the first Esc closes a message
        h_before = state()["h"]
        page.key("Enter", "Enter", 13)
        for _ in range(600):
            st = state()["train"]
            if st["running"] and st["cells"] and st["cells"][0]["epochs_done"] >= 1:
                break
            time.sleep(0.05)
        page.key("Escape", "Escape", 27)
        for _ in range(200):
            st = state()
            if st["train"]["finished"]:
                break
            time.sleep(0.05)
        check(st["train"]["finished"] and st["train"]["failed"] and st["h"] == h_before and st["view"] == "training",
              "Esc cancels a run in the page and the trained models stay (%s)"
              % json.dumps({k: st["train"][k] for k in ("running", "finished", "failed")}))
        train_fig = ", ".join("%.3f s (%.3f s in the slices)" % (c["seconds"] / max(1, c["epochs_done"]),
                                                                c["slice_seconds"] / max(1, c["epochs_done"])) for c in cells)
        train_fig += "; longest frame's slice %.1f ms" % (tr["slice_max_ms"] if tr else 0)
        # Keras' own files open in the page (libzip and libhdf5 built for wasm)
        doc = page.call("DOM.getDocument")
        node = page.call("DOM.querySelector", nodeId=doc["root"]["nodeId"], selector="#files")["nodeId"]
        check_keras_files(page, state, check, native, node, os.path.join(os.path.dirname(here), "tests", "fixtures", "keras"))
        check_bad_keras_files(page, state, check, native, node, os.path.join(os.path.dirname(here), "tests", "fixtures", "keras", "bad"))
        # a user's model through the page's file picker: model.json, its shard
        # and tokenizer.json go to /user and the window opens them
        folder = os.path.join(os.path.dirname(here), "lessons", "lyrics", "models", "gru")
        page.call("DOM.setFileInputFiles", nodeId=node,
                  files=[os.path.join(folder, f) for f in ("model.json", "weights.bin", "tokenizer.json")])
        opened = None
        for _ in range(100):
            time.sleep(0.1)
            s2 = json.loads(page.eval("UTF8ToString(Module._unroll_web_state())"))
            if s2.get("open") and s2["title"] != s1["title"]:
                opened = s2
                break
        check(opened is not None and opened["lesson_step"] < 0 and opened["T"] > 0,
              "the file picker opens a model (%s)" % (opened["title"] if opened else "nothing opened"))
        page.key("Escape", "Escape", 27)
        check_other_lesson(page, check, native, os.path.dirname(here))
        # a step's redraw, over 20 steps back and forth
        times = []
        for k in range(20):
            page.key("ArrowLeft" if k % 2 else "ArrowRight", "ArrowLeft" if k % 2 else "ArrowRight", 37 if k % 2 else 39)
            time.sleep(0.1)
            times.append(json.loads(page.eval("UTF8ToString(Module._unroll_web_state())"))["frame_ms"])
        times.sort()
        print("figures: interactive %.2f s; download to open lesson 1 %.1f MB (%.1f MB compressed), every lesson "
              "%.1f MB (%.1f MB compressed), with the largest lesson (%s) %.1f MB (%.1f MB compressed); "
              "step redraw median %.1f ms, worst %.1f ms"
              % (interactive, size / 1e6, gz / 1e6, all_size / 1e6, all_gz / 1e6, biggest, one[biggest][0] / 1e6,
                 one[biggest][1] / 1e6, times[len(times) // 2], times[-1]))
        print("figures: training in the page, lesson 1, seconds per epoch (SimpleRNN, GRU, LSTM): %s; "
              "frames while training: median %.1f ms, longest %.1f ms" % (train_fig, gaps[len(gaps) // 2], gaps[-1]))
    finally:
        browser.terminate()
        server.terminate()
        browser.wait(10)
        server.wait(10)
        shutil.rmtree(profile, ignore_errors=True)
    print("browser test: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
