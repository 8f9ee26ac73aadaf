/* fuzz_lesson: lesson files (io/lesson.c: YAML front matter through libyaml,
 * the body through md4c, the model spec). What parses must hold together:
 * steps and cells within their limits, every span inside its text, a spec
 * that builds for every cell. Seeds: lessons/ and tests/fixtures/lessons. */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"
#include "lesson.h"
#include "spec.h"

static void check_spans(const char *text, const LessonSpan *spans, int n)
{
    size_t len = text ? strlen(text) : 0;
    for (int i = 0; i < n; i++)
        fuzz_check(spans[i].start >= 0 && spans[i].len >= 0 && (size_t)spans[i].start + (size_t)spans[i].len <= len,
                   "span %d..+%d outside a text of %zu bytes", spans[i].start, spans[i].len, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        fuzz_setup();
        ready = true;
    }
    Lesson l;
    Err err = {{0}};
    if (!lesson_parse(&l, (const char *)data, size, "/nonexistent/lesson.md", &err)) {
        fuzz_check_err(&err);
        return 0;
    }
    fuzz_check(l.n_steps <= LESSON_MAX_STEPS, "%d steps", l.n_steps);
    fuzz_check(l.n_cells >= 1 && l.n_cells <= LESSON_MAX_CELLS, "%d cells", l.n_cells);
    fuzz_check(l.title && l.spec, "no title or spec");
    check_spans(l.intro, l.intro_spans, l.n_intro_spans);
    for (int i = 0; i < l.n_steps; i++) check_spans(l.steps[i].text, l.steps[i].spans, l.steps[i].n_spans);
    for (int k = 0; k < l.n_cells; k++) {
        char *spec = lesson_spec_for(&l, k);
        Err e = {{0}};
        fuzz_check(spec_check(spec, 4, &e), "the spec of cell %d was accepted but does not build: %s", k, e.msg);
        free(spec);
    }
    lesson_unload(&l);
    return 0;
}
