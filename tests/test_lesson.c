/* test_lesson: the lesson file parser.
 * - tests/fixtures/lessons/good.md parses into exactly the fields written in
 *   it (titles, narration text and spans, directives, line numbers), and the
 *   same file with CRLF line ends parses the same.
 * - A lesson with only an introduction is valid.
 * - A table of malformed lessons: each gives one error line naming the file,
 *   the line in the lesson and a keyword of the problem.
 * - Every prefix of good.md parses or fails cleanly (no crash, no leak).
 * - Judged quizzes (choices, answer, explain) parse into their fields, and
 *   each misuse is one error line at its line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "prepare.h"
#include "testutil.h"

static char *read_fixture(const char *rel, size_t *len)
{
    Err err = {0};
    char *text = base_read_file(tu_path(rel), LESSON_MAX_BYTES, len, &err);
    ck_assert_msg(text, "%s", err.msg);
    return text;
}

static void check_span(const char *text, const LessonSpan *s, LessonSpanKind kind, const char *what)
{
    ck_assert_int_eq(s->kind, kind);
    ck_assert_int_eq(s->len, (int)strlen(what));
    ck_assert_msg(strncmp(text + s->start, what, strlen(what)) == 0, "span at %d is '%.*s', expected '%s'", s->start,
                  s->len, text + s->start, what);
}

static void check_good(const Lesson *l, const char *dir)
{
    char want[4096];
    ck_assert_str_eq(l->dir, dir);
    ck_assert_str_eq(l->title, "Counting sheep, one word at a time");
    ck_assert_str_eq(l->intro, "A network that counts has to remember where it is.\n\n"
                               "This lesson uses a tiny made-up text.");
    ck_assert_int_eq(l->n_intro_spans, 1);
    check_span(l->intro, &l->intro_spans[0], LESSON_SPAN_EM, "remember");

    snprintf(want, sizeof want, "%s/text/sheep.txt", dir);
    ck_assert_str_eq(l->corpus, want);
    snprintf(want, sizeof want, "%s/models", dir);
    ck_assert_str_eq(l->models, want);
    ck_assert_ptr_null(l->data);
    ck_assert_ptr_null(l->labels);
    ck_assert_int_eq(l->n_labels, 0);
    ck_assert_int_eq(l->task, LESSON_NEXT_WORD);
    ck_assert_int_eq(l->n_cells, 2);
    ck_assert_int_eq(l->cells[0], CELL_SIMPLE_RNN);
    ck_assert_int_eq(l->cells[1], CELL_LSTM);
    ck_assert_str_eq(l->spec, "embedding:V:8, {cell}:4, dense:V:softmax");
    ck_assert_int_eq(l->maxlen, 6);
    ck_assert_int_eq(l->epochs, 3);
    ck_assert_int_eq(l->batch_size, 2);
    ck_assert_double_eq(l->learning_rate, 0.05);
    ck_assert_uint_eq(l->seed, 7);
    ck_assert_str_eq(l->sentence, "one sheep two sheep");
    ck_assert_int_eq(l->view, VIEW_COMPARE);
    ck_assert_int_eq(l->n_steps, 3);

    const LessonStep *s = &l->steps[0];
    ck_assert_str_eq(s->title, "Words enter one by one");
    ck_assert_int_eq(s->line, 24);
    ck_assert_str_eq(s->text, "Each word becomes a vector, and the cell reads them left to right:\n\n"
                              "\xe2\x80\xa2 the embedding turns sheep into numbers\n"
                              "\xe2\x80\xa2 the state h carries what came before");
    ck_assert_int_eq(s->n_spans, 2);
    check_span(s->text, &s->spans[0], LESSON_SPAN_STRONG, "left to right");
    check_span(s->text, &s->spans[1], LESSON_SPAN_CODE, "sheep");
    ck_assert(s->dir.has_view);
    ck_assert_int_eq(s->dir.view, VIEW_UNROLLED);
    ck_assert_str_eq(s->dir.sentence, "one sheep");
    ck_assert_int_eq(s->dir.step, 1);
    ck_assert_int_eq(s->dir.cell, 1); /* index into cells: lstm */
    ck_assert_str_eq(s->dir.highlight_vec, "");
    ck_assert_int_eq(s->dir.highlight_unit, -1);
    ck_assert_ptr_null(s->dir.quiz);
    ck_assert_int_eq(s->dir.line, 32);

    s = &l->steps[1];
    ck_assert_str_eq(s->title, "Inside the gates");
    ck_assert_int_eq(s->line, 39);
    ck_assert_str_eq(s->text, "h = tanh(x @ W + h @ U + b)\n\n1. First point\n2. Second point");
    ck_assert_int_eq(s->n_spans, 1);
    check_span(s->text, &s->spans[0], LESSON_SPAN_CODE, "h = tanh(x @ W + h @ U + b)");
    ck_assert(s->dir.has_view);
    ck_assert_int_eq(s->dir.view, VIEW_INSPECTOR);
    ck_assert_ptr_null(s->dir.sentence);
    ck_assert_int_eq(s->dir.step, 0);
    ck_assert_int_eq(s->dir.cell, 1);
    ck_assert_str_eq(s->dir.highlight_vec, "f");
    ck_assert_int_eq(s->dir.highlight_unit, 2);
    ck_assert_str_eq(s->dir.quiz, "Will the forget gate stay open?");
    ck_assert_int_eq(s->dir.line, 45);

    s = &l->steps[2];
    ck_assert_str_eq(s->title, "The end");
    ck_assert_int_eq(s->line, 56);
    ck_assert_str_eq(s->text, "No directives here.");
    ck_assert_int_eq(s->n_spans, 0);
    ck_assert(!s->dir.has_view);
    ck_assert_ptr_null(s->dir.sentence);
    ck_assert_int_eq(s->dir.step, -1);
    ck_assert_int_eq(s->dir.cell, -1);
    ck_assert_str_eq(s->dir.highlight_vec, "");
    ck_assert_int_eq(s->dir.highlight_unit, -1);
    ck_assert_ptr_null(s->dir.quiz);
    ck_assert_int_eq(s->dir.line, 0);
}

START_TEST(good_lesson)
{
    Lesson l = {0};
    Err err = {0};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_path("fixtures/lessons"));
    ck_assert_msg(lesson_load(&l, tu_path("fixtures/lessons/good.md"), &err), "%s", err.msg);
    ck_assert_str_eq(l.path, tu_path("fixtures/lessons/good.md"));
    check_good(&l, dir);

    char *spec = lesson_spec_for(&l, 0);
    ck_assert_str_eq(spec, "embedding:V:8, rnn:4, dense:V:softmax");
    free(spec);
    spec = lesson_spec_for(&l, 1);
    ck_assert_str_eq(spec, "embedding:V:8, lstm:4, dense:V:softmax");
    free(spec);
    lesson_unload(&l);
    lesson_unload(&l); /* unloading an empty lesson is harmless */
}
END_TEST

START_TEST(good_lesson_crlf)
{
    size_t len = 0;
    char *text = read_fixture("fixtures/lessons/good.md", &len);
    char *crlf = xmalloc(2 * len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') crlf[n++] = '\r';
        crlf[n++] = text[i];
    }
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_parse(&l, crlf, n, "lessons/good.md", &err), "%s", err.msg);
    check_good(&l, "lessons");
    lesson_unload(&l);
    free(crlf);
    free(text);
}
END_TEST

START_TEST(intro_only_lesson)
{
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_load(&l, tu_path("fixtures/lessons/intro-only.md"), &err), "%s", err.msg);
    ck_assert_str_eq(l.title, "Only an introduction");
    ck_assert_str_eq(l.intro, "Just a paragraph, and no steps at all.");
    ck_assert_int_eq(l.n_steps, 0);
    ck_assert_ptr_null(l.steps);
    ck_assert_int_eq(l.task, LESSON_CLASSIFY);
    ck_assert_int_eq(l.n_labels, 2);
    ck_assert_str_eq(l.labels[0], "no");
    ck_assert_str_eq(l.labels[1], "yes");
    ck_assert_ptr_null(l.corpus);
    ck_assert_int_eq(l.n_cells, 1);
    ck_assert_int_eq(l.cells[0], CELL_GRU);
    ck_assert_int_eq(l.maxlen, 0);
    ck_assert_double_eq(l.learning_rate, 0.0);
    ck_assert_int_eq(l.view, VIEW_UNROLLED);
    char *spec = lesson_spec_for(&l, 0); /* one cell: the spec as written */
    ck_assert_str_eq(spec, "embedding:V:4, gru:2, dense:2:softmax");
    free(spec);
    lesson_unload(&l);
}
END_TEST

START_TEST(names)
{
    for (int v = 0; v < VIEW_COUNT; v++) {
        ViewKind back = VIEW_COUNT;
        ck_assert(view_kind_parse(view_kind_name((ViewKind)v), &back));
        ck_assert_int_eq(back, v);
    }
    ViewKind v = VIEW_UNROLLED;
    ck_assert(!view_kind_parse("Unrolled", &v));
    ck_assert_str_eq(view_kind_name(VIEW_GENERATE), "generate");
    CellKind c = CELL_GRU;
    ck_assert(lesson_cell_parse("simplernn", &c));
    ck_assert_int_eq(c, CELL_SIMPLE_RNN);
    ck_assert(!lesson_cell_parse("rnn", &c));
    ck_assert_str_eq(lesson_cell_name(CELL_LSTM), "lstm");
    /* one table each: every name parses back, the titles are the window's */
    for (int k = 0; k < CELL_KIND_COUNT; k++) {
        CellKind back = CELL_KIND_COUNT;
        ck_assert(lesson_cell_parse(lesson_cell_name((CellKind)k), &back));
        ck_assert_int_eq(back, k);
    }
    ck_assert_int_eq(CELL_KIND_COUNT, 3);
    ck_assert_str_eq(lesson_cell_spec_name(CELL_SIMPLE_RNN), "rnn");
    ck_assert_str_eq(lesson_cell_spec_name(CELL_GRU), "gru");
    ck_assert_str_eq(view_kind_title(VIEW_INSPECTOR), "Cell");
    ck_assert_str_eq(view_kind_title(VIEW_PREDICTIONS), "Predict");
    ck_assert_str_eq(view_kind_title(VIEW_COUNT), "?");
}
END_TEST

/* {cell} is replaced everywhere, units after it only when asked, and a
 * spec longer than any fixed buffer comes back whole */
START_TEST(spec_substitution)
{
    Lesson l = {0};
    char spec[3000] = "embedding:V:16, {cell}:32:seq, {cell}:8";
    for (int i = 0; i < 120; i++) strcat(spec, ", dropout:0.5");
    strcat(spec, ", dense:V:softmax");
    l.spec = spec;
    l.n_cells = 2;
    l.cells[0] = CELL_SIMPLE_RNN;
    l.cells[1] = CELL_LSTM;
    char *s = lesson_spec_for(&l, 0);
    ck_assert_int_eq(strncmp(s, "embedding:V:16, rnn:32:seq, rnn:8, dropout:0.5", 46), 0);
    ck_assert_int_eq(strlen(s), strlen(spec) - 2 * (strlen("{cell}") - strlen("rnn")));
    ck_assert_str_eq(s + strlen(s) - 17, ", dense:V:softmax");
    free(s);
    s = lesson_spec_with_units(&l, 1, 128);
    ck_assert_int_eq(strncmp(s, "embedding:V:16, lstm:128:seq, lstm:128, dropout:0.5", 51), 0);
    ck_assert_str_eq(s + strlen(s) - 17, ", dense:V:softmax");
    free(s);
}
END_TEST

/* A valid front matter of 12 lines: a body after it starts on line 13. */
#define FM                                                                                                             \
    "---\n"                                                                                                            \
    "title: T\n"                                                                                                       \
    "task: next-word\n"                                                                                                \
    "corpus: c.txt\n"                                                                                                  \
    "cells: [simplernn, gru, lstm]\n"                                                                                  \
    "spec: \"embedding:V:4, {cell}:2, dense:V:softmax\"\n"                                                             \
    "epochs: 1\n"                                                                                                      \
    "batch_size: 1\n"                                                                                                  \
    "seed: 1\n"                                                                                                        \
    "models: m\n"                                                                                                      \
    "sentence: \"a b\"\n"                                                                                              \
    "---\n"

/* The same front matter with one line replaced (line 2..11), for front
 * matter errors; built at run time. */
static char *fm_with(int line, const char *replacement)
{
    static const char *const lines[] = {
        "---",
        "title: T",
        "task: next-word",
        "corpus: c.txt",
        "cells: [simplernn, gru, lstm]",
        "spec: \"embedding:V:4, {cell}:2, dense:V:softmax\"",
        "epochs: 1",
        "batch_size: 1",
        "seed: 1",
        "models: m",
        "sentence: \"a b\"",
        "---",
    };
    char *out = xcalloc(4096, 1);
    for (int i = 0; i < 12; i++) {
        strcat(out, i + 1 == line ? replacement : lines[i]);
        strcat(out, "\n");
    }
    strcat(out, "\nSome text.\n");
    return out;
}

typedef struct {
    const char *name;  /* file name in messages: lessons/bad/<name>.md */
    const char *text;  /* NULL: read tests/fixtures/lessons/bad/<name>.md */
    int fm_line;       /* if text is NULL and fm_line: FM with this line replaced */
    const char *fm_repl;
    int line;          /* the line the message must name */
    const char *keyword;
} BadCase;

static const BadCase bad_cases[] = {
    /* the file as a whole */
    {"empty", NULL, 0, NULL, 1, "empty file"},
    {"latin1", NULL, 0, NULL, 3, "not UTF-8"},
    {"nul", "---\ntitle: a\0b\n---\n", 0, NULL, 2, "NUL byte"},
    {"no-front-matter", "# A lesson\n\nSome text.\n", 0, NULL, 1, "no front matter"},
    {"unterminated", "---\ntitle: T\ncells: [gru]\n\n# T\n\nText.\n", 0, NULL, 1, "unterminated front matter"},
    /* front matter */
    {"yaml-syntax", NULL, 5, "cells: [simplernn, gru", 6, "YAML syntax error"},
    {"yaml-indent", NULL, 4, "corpus: c.txt\n  models: n", 5, "YAML syntax error"},
    {"unknown-key", NULL, 9, "seeds: 1", 9, "unknown front matter key 'seeds'"},
    {"missing-title", NULL, 2, "# no title", 1, "no 'title'"},
    {"missing-cells", NULL, 5, "", 1, "no 'cells'"},
    {"unknown-cell", NULL, 5, "cells: [simplernn, gru,\n  lsmt]", 6, "unknown cell 'lsmt'"},
    {"cells-not-list", NULL, 5, "cells: lstm", 5, "'cells' must be a list"},
    {"cell-twice", NULL, 5, "cells: [gru, gru]", 5, "listed twice"},
    {"spec-no-cell", NULL, 6, "spec: \"embedding:V:4, lstm:2, dense:V:softmax\"", 6, "{cell}"},
    {"spec-bad-layer", NULL, 6, "spec: \"embedding:V:4, {cell}:2, dens:V\"", 6, "unknown layer 'dens'"},
    {"duplicate-key", NULL, 10, "title: again", 10, "'title' is given twice (first on line 2)"},
    {"quoted-number", NULL, 7, "epochs: \"3\"", 7, "'epochs' must be a whole number"},
    {"zero-batch", NULL, 8, "batch_size: 0", 8, "from 1"},
    {"no-value", NULL, 3, "task:", 3, "'task' has no value"},
    {"unknown-task", NULL, 3, "task: predict", 3, "unknown task 'predict'"},
    {"path-escapes", NULL, 4, "corpus: ../../etc/passwd", 4, "inside the lesson's folder"},
    {"labels-next-word", NULL, 10, "labels: [a, b]", 10, "for classify lessons"},
    {"front-mapping", NULL, 11, "sentence:\n  a: b", 12, "not a mapping"},
    {"front-view", NULL, 11, "sentence: \"a b\"\nview: inspektor", 12, "unknown view 'inspektor' (unrolled, inspector"},
    /* body */
    {"unknown-directive", FM "## S\n\n```unroll\nview: compare\nveiw: unrolled\n```\n", 0, NULL, 17,
     "unknown directive 'veiw'"},
    {"unknown-view", FM "\n## S\n\nText.\n\n```unroll\nview: inspektor\n```\n", 0, NULL, 19,
     "unknown view 'inspektor' (unrolled, inspector, compare, predictions, training, gradients, generate, chart, tensors)"},
    {"directive-cell", FM "## S\n```unroll\ncell: lstn\n```\n", 0, NULL, 15, "unknown cell 'lstn'"},
    {"highlight-vector", FM "## S\n```unroll\nhighlight: q 3\n```\n", 0, NULL, 15, "unknown vector 'q'"},
    {"highlight-unit", FM "## S\n```unroll\nhighlight: f five\n```\n", 0, NULL, 15, "unit after 'f'"},
    {"highlight-cell", FM "## S\n```unroll\ncell: gru\nhighlight: c\n```\n", 0, NULL, 16, "gru has no vector 'c'"},
    {"step-word", FM "## S\n\n```unroll\nstep: three\n```\n", 0, NULL, 16, "'step' must be a whole number, not 'three'"},
    {"step-negative", FM "## S\n\n```unroll\nstep: -1\n```\n", 0, NULL, 16, "cannot be -1"},
    {"quiz-empty", FM "## S\n\n```unroll\nquiz: \"\"\n```\n", 0, NULL, 16, "'quiz' needs the question"},
    {"quiz-null", FM "## S\n\n```unroll\nquiz:\n```\n", 0, NULL, 16, "'quiz' needs the question"},
    {"attribution-empty", FM "## S\n\n```unroll\nattribution: \"\"\n```\n", 0, NULL, 16, "'attribution' takes true, false or a class"},
    {"attribution-list", FM "## S\n\n```unroll\nattribution: [a, b]\n```\n", 0, NULL, 16, "'attribution' must be one value"},
    /* judged quizzes */
#define QZ FM "## S\n\n```unroll\nquiz: \"Which?\"\n"
    {"quiz-choices-alone", FM "## S\n\n```unroll\nchoices: [a, b]\nanswer: a\n```\n", 0, NULL, 16, "'choices' belongs to a quiz"},
    {"quiz-explain-alone", FM "## S\n\n```unroll\nstep: 1\nexplain: \"x\"\n```\n", 0, NULL, 17, "'explain' belongs to a quiz"},
    {"quiz-answer-elsewhere", QZ "choices: [moon, road]\nanswer: hill\n```\n", 0, NULL, 18, "answer 'hill' is not one of the choices"},
    {"quiz-one-choice", QZ "choices: [moon]\nanswer: moon\n```\n", 0, NULL, 17, "'choices' must list 2 to 9 items, not 1"},
    {"quiz-ten-choices", QZ "choices: [a, b, c, d, e, f, g, h, i, j]\nanswer: a\n```\n", 0, NULL, 17, "'choices' must list 2 to 9"},
    {"quiz-choice-twice", QZ "choices: [moon, road, moon]\nanswer: moon\n```\n", 0, NULL, 17, "choice 'moon' is listed twice"},
    {"quiz-choice-empty", QZ "choices: [moon, \"\"]\nanswer: moon\n```\n", 0, NULL, 17, "choice 2 is empty"},
    {"quiz-choices-no-answer", QZ "choices: [moon, road]\n```\n", 0, NULL, 17, "'choices' need an 'answer'"},
    {"quiz-choices-scalar", QZ "choices: moon\nanswer: moon\n```\n", 0, NULL, 17, "'choices' must be a list"},
    {"quiz-answer-list", QZ "answer: [a, b]\n```\n", 0, NULL, 17, "'answer' must be one value"},
    {"quiz-answer-empty", QZ "answer:\n```\n", 0, NULL, 17, "'answer' has no value"},
    {"quiz-typed-two-words", QZ "answer: \"the road\"\n```\n", 0, NULL, 17, "a typed answer is one word"},
    {"quiz-explain-no-answer", QZ "explain: \"because\"\n```\n", 0, NULL, 17, "'explain' needs an 'answer'"},
    {"quiz-explain-empty", QZ "answer: road\nexplain: \"\"\n```\n", 0, NULL, 18, "'explain' is empty"},
    {"two-blocks", FM "## S\n\n```unroll\nstep: 1\n```\n\nMore.\n\n```unroll\nstep: 2\n```\n", 0, NULL, 21,
     "one ```unroll block; this step's first is on line 15"},
    /* the first error wins: md4c reads on after a callback stops it, and
     * a later problem (a second block, a second title) must not replace
     * the message of the first */
    {"first-error-block", FM "## S\n\n```unroll\nstep: x\n```\n\nMore.\n\n```unroll\nstep: 2\n```\n", 0, NULL, 16,
     "'step' must be a whole number, not 'x'"},
    {"first-error-title", FM "## S\n\n```unroll\nview: nowhere\n```\n\n# Again\n\n##\n", 0, NULL, 16,
     "unknown view 'nowhere'"},
    {"first-error-heading", FM "##\n\nText.\n\n```unroll\nstep: 1\n```\n\n```unroll\nstep: 2\n```\n", 0, NULL, 13,
     "needs a title"},
    {"block-yaml", FM "## S\n\n```unroll\nview: unrolled\nstep: [1\n```\n", 0, NULL, 18, "YAML syntax error"},
    {"block-in-intro", FM "Intro.\n\n```unroll\nstep: 1\n```\n", 0, NULL, 15, "belongs to a step"},
    {"block-not-mapping", FM "## S\n\n```unroll\njust words\n```\n", 0, NULL, 16, "'key: value' lines"},
    {"fence-extra", FM "## S\n\n```unroll step\nstep: 1\n```\n", 0, NULL, 15, "nothing after 'unroll'"},
    {"second-title", FM "# T\n\nIntro.\n\n# Again\n", 0, NULL, 17, "one '#' title"},
    /* chart helper: units */
    {"units-scalar", FM "## S\n\n```unroll\nunits: 3\n```\n", 0, NULL, 16, "'units' must be a list"},
    {"units-word", FM "## S\n\n```unroll\nunits: [3, x]\n```\n", 0, NULL, 16, "units: 'x' is not a unit number"},
    {"units-negative", FM "## S\n\n```unroll\nunits: [-2]\n```\n", 0, NULL, 16, "units: '-2' is not a unit number"},
    {"units-twice", FM "## S\n\n```unroll\nunits: [4, 4]\n```\n", 0, NULL, 16, "unit 4 is listed twice"},
    {"units-many", FM "## S\n\n```unroll\nunits: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n```\n", 0, NULL, 16, "1 to 8 items, not 9"},
    {"empty-heading", FM "Intro.\n\n##\n\nText.\n", 0, NULL, 15, "needs a title"},
    /* lesson 9: temperature */
    {"temperature-high", FM "## S\n\n```unroll\ntemperature: 2.5\n```\n", 0, NULL, 16,
     "'temperature' must be a number from 0 (greedy) to 2, not '2.5'"},
    {"temperature-negative", FM "## S\n\n```unroll\ntemperature: -0.1\n```\n", 0, NULL, 16, "to 2, not '-0.1'"},
    {"temperature-quoted", FM "## S\n\n```unroll\ntemperature: \"1\"\n```\n", 0, NULL, 16, "to 2, not '1'"},
    {"temperature-word", FM "## S\n\n```unroll\ntemperature: hot\n```\n", 0, NULL, 16, "to 2, not 'hot'"},
    {"temperature-nan", FM "## S\n\n```unroll\ntemperature: nan\n```\n", 0, NULL, 16, "to 2, not 'nan'"},
    {"temperature-list", FM "## S\n\n```unroll\ntemperature: [1]\n```\n", 0, NULL, 16, "'temperature' must be one value"},
};

/* chart helper: `units:` lists the units the chart view plots, in order */
START_TEST(units_directive)
{
    static const char text[] = FM "## S\n\n```unroll\nview: chart\nunits: [23, 3, 30]\n```\n\n## T\n\nNo block.\n";
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_parse(&l, text, strlen(text), "u.md", &err), "%s", err.msg);
    ck_assert_int_eq(l.n_steps, 2);
    ck_assert(l.steps[0].dir.has_view);
    ck_assert_int_eq(l.steps[0].dir.view, VIEW_CHART);
    ck_assert_int_eq(l.steps[0].dir.n_units, 3);
    ck_assert_int_eq(l.steps[0].dir.units[0], 23);
    ck_assert_int_eq(l.steps[0].dir.units[1], 3);
    ck_assert_int_eq(l.steps[0].dir.units[2], 30);
    ck_assert_int_eq(l.steps[1].dir.n_units, 0);
    ck_assert_str_eq(view_kind_name(VIEW_CHART), "chart");
    ck_assert_str_eq(view_kind_title(VIEW_CHART), "Units");
    lesson_unload(&l);
}
END_TEST

/* `attribution:` (helper attr): true, a class to explain, false; unset is off */
START_TEST(attribution_directive)
{
    static const char text[] = FM "## A\n```unroll\nattribution: true\n```\n## B\n```unroll\nattribution: bread\n```\n"
                                  "## C\n```unroll\nattribution: false\n```\n## D\n\nText.\n";
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_parse(&l, text, strlen(text), "lessons/attr.md", &err), "%s", err.msg);
    ck_assert_int_eq(l.n_steps, 4);
    ck_assert(l.steps[0].dir.attribution);
    ck_assert_ptr_null(l.steps[0].dir.attribution_class);
    ck_assert(l.steps[1].dir.attribution);
    ck_assert_str_eq(l.steps[1].dir.attribution_class, "bread");
    ck_assert(!l.steps[2].dir.attribution);
    ck_assert_ptr_null(l.steps[2].dir.attribution_class);
    ck_assert(!l.steps[3].dir.attribution);
    lesson_unload(&l);
}
END_TEST

/* lesson 9: `temperature:` sets the generate view's temperature; unset is -1 */
START_TEST(temperature_directive)
{
    static const char text[] = FM "## A\n```unroll\nview: generate\ntemperature: 0\n```\n## B\n```unroll\ntemperature: 1.5\n```\n"
                                  "## C\n```unroll\ntemperature: 2\n```\n## D\n\nText.\n";
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_parse(&l, text, strlen(text), "lessons/t.md", &err), "%s", err.msg);
    ck_assert_int_eq(l.n_steps, 4);
    ck_assert(l.steps[0].dir.temperature == 0.0f);
    ck_assert(l.steps[1].dir.temperature == 1.5f);
    ck_assert(l.steps[2].dir.temperature == 2.0f);
    ck_assert(l.steps[3].dir.temperature == -1.0f);
    lesson_unload(&l);
}
END_TEST

/* Judged quizzes: multiple choice with a fixed answer, the model's own
 * answer, a typed word; an old plain quiz stays valid and unjudged */
START_TEST(judged_quizzes)
{
    static const char text[] = FM "## Pick\n\n```unroll\nquiz: \"Which word?\"\n"
                                  "choices: [moon, \"the road\", hill]\nanswer: the road\nexplain: \"It says so.\"\n```\n"
                                  "## Model\n\n```unroll\nquiz: \"Yours?\"\nchoices: [a, b]\nanswer: model\n```\n"
                                  "## Typed\n\n```unroll\nquiz: \"Type it\"\nanswer: Road\n```\n"
                                  "## Typed model\n\n```unroll\nquiz: \"Type the model's word\"\nanswer: model\nexplain: e\n```\n"
                                  "## Plain\n\n```unroll\nquiz: \"Guess\"\n```\n";
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_parse(&l, text, strlen(text), "q.md", &err), "%s", err.msg);
    ck_assert_int_eq(l.n_steps, 5);
    const LessonDirectives *d = &l.steps[0].dir;
    ck_assert_str_eq(d->quiz, "Which word?");
    ck_assert_int_eq(d->n_choices, 3);
    ck_assert_str_eq(d->choices[0], "moon");
    ck_assert_str_eq(d->choices[1], "the road");
    ck_assert_str_eq(d->choices[2], "hill");
    ck_assert_str_eq(d->answer, "the road");
    ck_assert(!d->answer_model);
    ck_assert_str_eq(d->explain, "It says so.");
    d = &l.steps[1].dir;
    ck_assert_int_eq(d->n_choices, 2);
    ck_assert_ptr_null(d->answer);
    ck_assert(d->answer_model);
    ck_assert_ptr_null(d->explain);
    d = &l.steps[2].dir;
    ck_assert_int_eq(d->n_choices, 0);
    ck_assert_str_eq(d->answer, "Road");
    d = &l.steps[3].dir;
    ck_assert_int_eq(d->n_choices, 0);
    ck_assert(d->answer_model);
    ck_assert_str_eq(d->explain, "e");
    d = &l.steps[4].dir;
    ck_assert_str_eq(d->quiz, "Guess");
    ck_assert_int_eq(d->n_choices, 0);
    ck_assert_ptr_null(d->answer);
    ck_assert(!d->answer_model);
    ck_assert_ptr_null(d->explain);
    lesson_unload(&l);
}
END_TEST

START_TEST(bad_lessons)
{
    const BadCase *c = &bad_cases[_i];
    char path[256], rel[256];
    snprintf(path, sizeof path, "lessons/bad/%s.md", c->name);
    char *owned = NULL;
    size_t len = 0;
    if (c->text) {
        len = strlen(c->text);
        if (strcmp(c->name, "nul") == 0) len = sizeof "---\ntitle: a\0b\n---\n" - 1;
    } else if (c->fm_line) {
        owned = fm_with(c->fm_line, c->fm_repl);
        len = strlen(owned);
    } else {
        snprintf(rel, sizeof rel, "fixtures/lessons/bad/%s.md", c->name);
        owned = read_fixture(rel, &len);
    }
    Lesson l = {0};
    Err err = {0};
    bool ok = lesson_parse(&l, c->text ? c->text : owned, len, path, &err);
    ck_assert_msg(!ok, "%s: parsed, expected an error on line %d", c->name, c->line);
    char where[300];
    snprintf(where, sizeof where, "%s:%d: ", path, c->line);
    ck_assert_msg(strncmp(err.msg, where, strlen(where)) == 0, "%s: '%s' does not start with '%s'", c->name, err.msg,
                  where);
    ck_assert_msg(strstr(err.msg, c->keyword), "%s: '%s' does not say '%s'", c->name, err.msg, c->keyword);
    ck_assert_msg(!strchr(err.msg, '\n'), "%s: more than one line", c->name);
    ck_assert_ptr_null(l.title); /* left empty */
    ck_assert_int_eq(l.n_steps, 0);
    free(owned);
}
END_TEST

/* The same cases through lesson_load, for those stored as files. */
START_TEST(bad_files_load)
{
    const char *names[] = {"empty", "latin1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "fixtures/lessons/bad/%s.md", names[i]);
        Lesson l = {0};
        Err err = {0};
        ck_assert(!lesson_load(&l, tu_path(rel), &err));
        ck_assert_msg(strstr(err.msg, tu_path(rel)), "%s", err.msg);
    }
    Lesson l = {0};
    Err err = {0};
    ck_assert(!lesson_load(&l, tu_path("fixtures/lessons/no-such-lesson.md"), &err));
    ck_assert_msg(strstr(err.msg, "no-such-lesson.md"), "%s", err.msg);
}
END_TEST

START_TEST(limits)
{
    /* 201 steps */
    size_t cap = 1 << 16, n = 0;
    char *text = xmalloc(cap);
    n += (size_t)snprintf(text, cap, "%s", FM);
    for (int i = 0; i <= LESSON_MAX_STEPS; i++) n += (size_t)snprintf(text + n, cap - n, "## S%d\n\n", i);
    Lesson l = {0};
    Err err = {0};
    ck_assert(!lesson_parse(&l, text, n, "many.md", &err));
    /* step k's heading is on line 13 + 2k */
    char want[64];
    snprintf(want, sizeof want, "many.md:%d: ", 13 + 2 * LESSON_MAX_STEPS);
    ck_assert_msg(strstr(err.msg, want) && strstr(err.msg, "at most 200 steps"), "%s", err.msg);
    free(text);

    /* a narration longer than 64 KB */
    size_t big = LESSON_MAX_STRING + 100;
    text = xmalloc(big + 256);
    n = (size_t)snprintf(text, 256, "%s## S\n\n", FM);
    memset(text + n, 'a', big);
    n += big;
    ck_assert(!lesson_parse(&l, text, n, "long.md", &err));
    ck_assert_msg(strstr(err.msg, "long.md:15: ") && strstr(err.msg, "longer than"), "%s", err.msg);
    free(text);

    /* a front matter of many keys is refused before they are compared */
    text = xmalloc(1 << 14);
    n = (size_t)snprintf(text, 8, "---\n");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(text + n, 32, "k%d: 1\n", i);
    n += (size_t)snprintf(text + n, 8, "---\n");
    ck_assert(!lesson_parse(&l, text, n, "keys.md", &err));
    ck_assert_msg(strstr(err.msg, "keys.md:66: ") && strstr(err.msg, "more than 64 keys"), "%s", err.msg);
    free(text);

    /* larger than 1 MB */
    ck_assert(!lesson_parse(&l, FM, LESSON_MAX_BYTES + 1, "huge.md", &err));
    ck_assert_msg(strstr(err.msg, "huge.md:1: ") && strstr(err.msg, "larger than"), "%s", err.msg);
}
END_TEST

START_TEST(markdown_details)
{
    const char *text = FM "Intro with an &amp; and a &#x2192; and <b>bold</b> html.\n"
                          "<!-- a note to authors -->\n"
                          "## Step *one*\n"
                          "Line one  \n"
                          "line two\n\n"
                          "- outer\n"
                          "  - inner\n"
                          "\n"
                          "  more outer\n"
                          "- last\n\n"
                          "> quoted\n\n"
                          "```unroll\n"
                          "# only a comment\n"
                          "```\n"
                          "Setext step\n"
                          "-----------\n"
                          "### small heading\n";
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_parse(&l, text, strlen(text), "md.md", &err), "%s", err.msg);
    ck_assert_str_eq(l.dir, ".");
    ck_assert_str_eq(l.corpus, "c.txt");
    ck_assert_str_eq(l.intro, "Intro with an & and a \xe2\x86\x92 and bold html.");
    ck_assert_int_eq(l.n_steps, 2);
    ck_assert_str_eq(l.steps[0].title, "Step one");
    ck_assert_int_eq(l.steps[0].line, 15);
    ck_assert_str_eq(l.steps[0].text, "Line one\nline two\n\n"
                                      "\xe2\x80\xa2 outer\n"
                                      "  \xe2\x80\xa2 inner\n"
                                      "  more outer\n"
                                      "\xe2\x80\xa2 last\n\n"
                                      "quoted");
    ck_assert_int_eq(l.steps[0].dir.line, 27); /* an empty block is a block */
    ck_assert(!l.steps[0].dir.has_view);
    ck_assert_str_eq(l.steps[1].title, "Setext step");
    ck_assert_int_eq(l.steps[1].line, 30);
    ck_assert_str_eq(l.steps[1].text, "small heading");
    lesson_unload(&l);
}
END_TEST

START_TEST(every_prefix)
{
    size_t len = 0;
    char *text = read_fixture("fixtures/lessons/good.md", &len);
    int parsed = 0;
    for (size_t n = 0; n <= len; n++) {
        char *copy = xmalloc(n + 1); /* exactly n bytes, so a read past them shows */
        memcpy(copy, text, n);
        Lesson l = {0};
        Err err = {0};
        if (lesson_parse(&l, copy, n, "prefix.md", &err)) parsed++;
        else ck_assert_msg(strncmp(err.msg, "prefix.md:", 10) == 0, "%s", err.msg);
        lesson_unload(&l);
        free(copy);
    }
    ck_assert_int_gt(parsed, 0);
    free(text);
}
END_TEST

/* ---- cases that see a bug (issue 10): every bound at the limit and one past */

static void parse_ok(const char *text, size_t n, const char *what)
{
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_parse(&l, text, n, "edge.md", &err), "%s: %s", what, err.msg);
    lesson_unload(&l);
}

static void parse_fails(const char *text, size_t n, const char *keyword, const char *what)
{
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(!lesson_parse(&l, text, n, "edge.md", &err), "%s: parsed", what);
    ck_assert_msg(strstr(err.msg, keyword), "%s: '%s' does not say '%s'", what, err.msg, keyword);
}

START_TEST(bounds_at_the_limit)
{
    static const struct {
        int line;
        const char *ok, *bad, *keyword;
    } fm[] = {
        {7, "epochs: 1000000", "epochs: 1000001", "from 1 to 1000000"},
        {7, "epochs: 1", "epochs: 0", "from 1 to 1000000"},
        {8, "batch_size: 1048576", "batch_size: 1048577", "from 1 to 1048576"},
        {9, "seed: 1\nmaxlen: 100000", "seed: 1\nmaxlen: 100001", "from 1 to 100000"},
        {9, "seed: 1\nmaxlen: 1", "seed: 1\nmaxlen: 0", "from 1 to 100000"},
        {9, "seed: 0", "seed: -1", "from 0 to"},
        {9, "seed: 9223372036854775807", "seed: -1", "from 0 to 9223372036854775807"},
        {9, "seed: 1\nlearning_rate: 10", "seed: 1\nlearning_rate: 10.001", "at most 10"},
        {9, "seed: 1\nlearning_rate: 1e-9", "seed: 1\nlearning_rate: 0", "above 0"},
        {5, "cells: [lstm]", "cells: []", "must list 1 to 3 items"},
        {5, "cells: [simplernn, gru, lstm]", "cells: [simplernn, gru, lstm, gru]", "must list 1 to 3 items"},
    };
    for (size_t i = 0; i < sizeof fm / sizeof fm[0]; i++) {
        char *t = fm_with(fm[i].line, fm[i].ok);
        parse_ok(t, strlen(t), fm[i].ok);
        free(t);
        t = fm_with(fm[i].line, fm[i].bad);
        parse_fails(t, strlen(t), fm[i].keyword, fm[i].bad);
        free(t);
    }

    /* directives: step to ENGINE_MAX_SEQ - 1, a highlighted unit below ENGINE_MAX_DIM */
    static const struct {
        const char *ok, *bad, *keyword;
    } dir[] = {
        {"step: 99999", "step: 100000", "from 0 to 99999"},
        {"highlight: h 16777215", "highlight: h 16777216", "unit after 'h'"},
        {"highlight: h 0", "highlight: h -1", "unit after 'h'"},
    };
    for (size_t i = 0; i < sizeof dir / sizeof dir[0]; i++) {
        char t[1024];
        int n = snprintf(t, sizeof t, "%s## S\n\n```unroll\n%s\n```\n", FM, dir[i].ok);
        parse_ok(t, (size_t)n, dir[i].ok);
        n = snprintf(t, sizeof t, "%s## S\n\n```unroll\n%s\n```\n", FM, dir[i].bad);
        parse_fails(t, (size_t)n, dir[i].keyword, dir[i].bad);
    }

    /* labels: 2 to 256 */
    char *labels = xmalloc(8192);
    for (int count = 255; count <= 258; count++) {
        int n = snprintf(labels, 8192, "data: d.jsonl\nlabels: [");
        for (int k = 0; k < count; k++) n += snprintf(labels + n, (size_t)(8192 - n), "%sl%d", k ? ", " : "", k);
        snprintf(labels + n, (size_t)(8192 - n), "]");
        char *t = fm_with(3, "task: classify");
        char *u = xmalloc(strlen(t) + 8192);
        /* replace the corpus line (line 4) */
        char *corpus = strstr(t, "corpus: c.txt\n");
        snprintf(u, strlen(t) + 8192, "%.*s%s\n%s", (int)(corpus - t), t, labels, corpus + strlen("corpus: c.txt\n"));
        if (count <= LESSON_MAX_LABELS) parse_ok(u, strlen(u), "256 labels");
        else parse_fails(u, strlen(u), "more than 256 items", "257 labels");
        if (count == 255) {
            /* and one label is too few */
            snprintf(u, strlen(t) + 8192, "%.*sdata: d.jsonl\nlabels: [a]\n%s", (int)(corpus - t), t,
                     corpus + strlen("corpus: c.txt\n"));
            parse_fails(u, strlen(u), "must list 2 to 256 items", "1 label");
        }
        free(u);
        free(t);
    }
    free(labels);

    /* 200 steps */
    size_t cap = 1 << 16, n = 0;
    char *text = xmalloc(cap);
    n += (size_t)snprintf(text, cap, "%s", FM);
    for (int i = 0; i < LESSON_MAX_STEPS; i++) n += (size_t)snprintf(text + n, cap - n, "## S%d\n\n", i);
    parse_ok(text, n, "200 steps");
    n += (size_t)snprintf(text + n, cap - n, "## S200\n\n");
    parse_fails(text, n, "at most 200 steps", "201 steps");
    free(text);

    /* a value (the sentence) and a narration of exactly 64 KB, then one byte more */
    for (size_t extra = 0; extra <= 1; extra++) {
        size_t big = LESSON_MAX_STRING + extra;
        text = xmalloc(big + 1024);
        char *fm_sentence = fm_with(11, "sentence: \"@\"");
        char *at = strchr(fm_sentence, '@');
        n = (size_t)(at - fm_sentence);
        memcpy(text, fm_sentence, n);
        memset(text + n, 'a', big);
        n += big;
        n += (size_t)snprintf(text + n, 1024, "%s", at + 1);
        if (extra) parse_fails(text, n, "longer than 65536 bytes", "a sentence of 65537 bytes");
        else parse_ok(text, n, "a sentence of 65536 bytes");
        free(fm_sentence);
        n = (size_t)snprintf(text, 1024, "%s## S\n\n", FM);
        memset(text + n, 'a', big);
        n += big;
        text[n++] = '\n';
        if (extra) parse_fails(text, n, "longer than 65536 bytes", "a narration of 65537 bytes");
        else parse_ok(text, n, "a narration of 65536 bytes");
        free(text);
    }

    /* 64 front matter keys are compared (so an unknown one is named); 65 are refused */
    text = xmalloc(1 << 14);
    for (int keys = 64; keys <= 65; keys++) {
        n = (size_t)snprintf(text, 8, "---\n");
        for (int i = 0; i < keys; i++) n += (size_t)snprintf(text + n, 32, "k%d: 1\n", i);
        n += (size_t)snprintf(text + n, 8, "---\n");
        if (keys == 64) parse_fails(text, n, "unknown front matter key 'k0'", "64 keys");
        else parse_fails(text, n, "more than 64 keys", "65 keys");
    }
    free(text);

    /* a file of exactly 1 MB loads (through lesson_load too); 1 MB + 1 does not */
    text = xmalloc(LESSON_MAX_BYTES + 2);
    n = (size_t)snprintf(text, 1024, "%s", FM);
    for (int k = 0; n + 70000 < LESSON_MAX_BYTES; k++) {
        n += (size_t)snprintf(text + n, 64, "## S%d\n\n", k);
        memset(text + n, 'b', 60000);
        n += 60000;
        text[n++] = '\n';
    }
    memset(text + n, '\n', LESSON_MAX_BYTES - n);
    parse_ok(text, LESSON_MAX_BYTES, "1 MB");
    char *tmp = tu_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/big.md", tmp);
    for (size_t extra = 0; extra <= 1; extra++) {
        text[LESSON_MAX_BYTES] = '\n';
        FILE *f = fopen(path, "wb");
        ck_assert(f);
        ck_assert_uint_eq(fwrite(text, 1, LESSON_MAX_BYTES + extra, f), LESSON_MAX_BYTES + extra);
        fclose(f);
        Lesson l = {0};
        Err err = {0};
        bool ok = lesson_load(&l, path, &err);
        ck_assert_msg(ok == !extra, "a file of %zu bytes: %s", LESSON_MAX_BYTES + extra, ok ? "loaded" : err.msg);
        lesson_unload(&l);
    }
    parse_fails(text, LESSON_MAX_BYTES + 1, "larger than", "1 MB + 1");
    tu_rmtree(tmp);
    free(tmp);
    free(text);
}
END_TEST

/* ---- variants and validation (issue 13) ---------------------------------- */

static const char VARIANTS_HEAD[] = "---\ntitle: V\ntask: classify\nlabels: [no, yes]\ndata: d.jsonl\nepochs: 2\n"
                                    "batch_size: 4\nseed: 1\nmodels: m\nsentence: \"a b\"\n";

static char *variants_lesson(const char *front, const char *body)
{
    size_t n = strlen(VARIANTS_HEAD) + strlen(front) + strlen(body) + 16;
    char *t = xmalloc(n);
    snprintf(t, n, "%s%s---\n%s", VARIANTS_HEAD, front, body);
    return t;
}

START_TEST(variants_parse)
{
    char *t = variants_lesson("variants:\n  conv: \"input:6, embedding:V:4, conv1d:3:2:relu, gmaxpool, dense:1:sigmoid\"\n"
                              "  bi_gru-2: \"input:6, embedding:V:4:mask, bi-gru:5, dense:1:sigmoid\"\n"
                              "validation: held/v.jsonl\n",
                              "## one\n```unroll\ncell: bi_gru-2\nhighlight: z 1\n```\n## two\n```unroll\ncell: conv\n```\n");
    Lesson l = {0};
    Err err = {0};
    ck_assert_msg(lesson_parse(&l, t, strlen(t), "dir/v.md", &err), "%s", err.msg);
    ck_assert_int_eq(l.n_cells, 2);
    ck_assert_str_eq(lesson_model_name(&l, 0), "conv");
    ck_assert_str_eq(lesson_model_name(&l, 1), "bi_gru-2");
    ck_assert(!l.variant_recurrent[0]);
    ck_assert(l.variant_recurrent[1]);
    ck_assert_int_eq(l.cells[1], CELL_GRU);
    ck_assert_str_eq(l.validation, "dir/held/v.jsonl");
    ck_assert_int_eq(l.steps[0].dir.cell, 1);
    ck_assert_int_eq(l.steps[1].dir.cell, 0);
    char *spec = lesson_spec_for(&l, 0);
    ck_assert_str_eq(spec, "input:6, embedding:V:4, conv1d:3:2:relu, gmaxpool, dense:1:sigmoid");
    free(spec);
    spec = lesson_spec_with_units(&l, 1, 64); /* a variant keeps its own units */
    ck_assert_str_eq(spec, "input:6, embedding:V:4:mask, bi-gru:5, dense:1:sigmoid");
    free(spec);
    char *dir = lesson_model_dir(&l, 1);
    ck_assert_str_eq(dir, "dir/m/bi_gru-2");
    free(dir);
    lesson_unload(&l);
    free(t);
    /* a cells lesson's names are its cells' */
    t = variants_lesson("cells: [gru, lstm]\nspec: \"embedding:V:4, {cell}:3, dense:1:sigmoid\"\n", "## one\n");
    ck_assert_msg(lesson_parse(&l, t, strlen(t), "v.md", &err), "%s", err.msg);
    ck_assert_str_eq(lesson_model_name(&l, 1), "lstm");
    ck_assert_ptr_null(l.validation);
    lesson_unload(&l);
    free(t);
}
END_TEST

START_TEST(variants_refused)
{
    static const struct {
        const char *front, *body, *keyword;
    } bad[] = {
        {"variants:\n  a: \"embedding:V:4, gru:3, dense:1:sigmoid\"\ncells: [gru]\n", "", "do not go together"},
        {"variants:\n  a: \"embedding:V:4, gru:3, dense:1:sigmoid\"\nspec: \"embedding:V:4, gru:3\"\n", "", "do not go together"},
        {"variants: [a, b]\n", "", "must hold 'name"},
        {"variants: conv\n", "", "must hold 'name"},
        {"variants:\n  A: \"embedding:V:4, gru:3, dense:1:sigmoid\"\n", "", "variant name 'A'"},
        {"variants:\n  ../x: \"embedding:V:4, gru:3, dense:1:sigmoid\"\n", "", "names a folder"},
        {"variants:\n  a: \"embedding:V:4, gru:3, dense:1:sigmoid\"\n  a: \"embedding:V:4, gru:3, dense:1:sigmoid\"\n", "", "twice"},
        {"variants:\n  a: \"embedding:V:4, {cell}:3, dense:1:sigmoid\"\n", "", "no placeholders"},
        {"variants:\n  a: \"embedding:V:4, blob:3\"\n", "", "(for a)"},
        {"variants:\n  a: \"\"\n", "", "has no spec"},
        {"variants:\n  a: [x]\n", "", "one value"},
        {"variants:\n  a: \"e:1\"\n  b: \"e:1\"\n  c: \"e:1\"\n  d: \"e:1\"\n", "", "1 to 3"},
        {"variants:\n  a: \"embedding:V:4, gru:3, dense:1:sigmoid\"\n", "## s\n```unroll\ncell: b\n```\n", "variants (a)"},
        {"variants:\n  a: \"embedding:V:4, gru:3, dense:1:sigmoid\"\n", "## s\n```unroll\ncell: gru\n```\n", "variants (a)"},
        {"variants:\n  a: \"embedding:V:4, conv1d:3:2, gmaxpool, dense:1:sigmoid\"\n", "## s\n```unroll\nhighlight: h\n```\n",
         "no recurrent cell"},
        {"cells: [gru]\nspec: \"embedding:V:4, gru:3, dense:1:sigmoid\"\nvalidation: ../x.jsonl\n", "", "inside"},
        {"cells: [gru]\nspec: \"embedding:V:4, gru:3, dense:1:sigmoid\"\nvalidation: [a]\n", "", "one value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *t = variants_lesson(bad[i].front, bad[i].body);
        Lesson l = {0};
        Err err = {0};
        ck_assert_msg(!lesson_parse(&l, t, strlen(t), "v.md", &err), "case %zu parsed", i);
        ck_assert_msg(strstr(err.msg, bad[i].keyword), "case %zu: '%s' does not say '%s'", i, err.msg, bad[i].keyword);
        ck_assert_msg(strncmp(err.msg, "v.md:", 5) == 0 && !strchr(err.msg, '\n'), "case %zu: '%s'", i, err.msg);
        ck_assert_int_eq(l.n_cells, 0);
        free(t);
    }
}
END_TEST

static Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson");
    TCase *tc = tcase_create("lesson");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, good_lesson);
    tcase_add_test(tc, judged_quizzes);
    tcase_add_test(tc, good_lesson_crlf);
    tcase_add_test(tc, intro_only_lesson);
    tcase_add_test(tc, names);
    tcase_add_test(tc, spec_substitution);
    tcase_add_loop_test(tc, bad_lessons, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, bad_files_load);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, markdown_details);
    tcase_add_test(tc, attribution_directive); /* helper attr */
    tcase_add_test(tc, every_prefix);
    tcase_add_test(tc, bounds_at_the_limit);
    tcase_add_test(tc, variants_parse);
    tcase_add_test(tc, variants_refused);
    tcase_add_test(tc, units_directive); /* chart helper */
    tcase_add_test(tc, temperature_directive); /* lesson 9 */
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(lesson_suite());
}
