/* test_limits: sizes that input sets stay bounded (unroll_limits.h,
 * docs/limits.md). The memory budget: its arithmetic, its environment
 * variable, the byte counts of traces and gradients (hand-counted), and the
 * commands refusing a model whose trace would not fit. Parsers that were
 * quadratic (the weights manifest, evaluate rows, tokenizer filters) are run
 * on inputs that took minutes before and checked for their answers; a spec
 * with parts it does not understand is refused. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_io.h"
#include "prepare.h"
#include "spec.h"
#include "testutil.h"
#include "text.h"
#include "tokenizer_io.h"

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* ---- the budget ------------------------------------------------------------ */

START_TEST(budget_arithmetic_and_environment)
{
    ck_assert_uint_eq(base_size_add(SIZE_MAX - 1, 5), SIZE_MAX);
    ck_assert_uint_eq(base_size_mul(SIZE_MAX / 2, 3), SIZE_MAX);
    ck_assert_uint_eq(base_size_linear(10, 13, 5), 22);
    ck_assert_uint_eq(base_size_linear(10, SIZE_MAX, 3), SIZE_MAX);

    Err err = {{0}};
    size_t budget = 0;
    unsetenv("UNROLL_MEMORY_LIMIT");
    ck_assert(base_memory_budget(&budget, &err));
    ck_assert_uint_eq(budget, (size_t)4 << 30);
    ck_assert(base_memory_check((size_t)4 << 30, "x", &err));
    ck_assert(!base_memory_check(((size_t)4 << 30) + 1, "a trace", &err));
    ck_assert_msg(strstr(err.msg, "a trace needs 4.0 GiB of memory, more than the limit of 4.0 GiB") &&
                      strstr(err.msg, "UNROLL_MEMORY_LIMIT=5G"),
                  "%s", err.msg);

    static const struct {
        const char *value;
        size_t bytes;
    } ok[] = {{"1M", (size_t)1 << 20}, {"16G", (size_t)16 << 30}, {"1.5k", 1536}, {"512MB", (size_t)512 << 20},
              {"8000000000", 8000000000u}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        setenv("UNROLL_MEMORY_LIMIT", ok[i].value, 1);
        ck_assert_msg(base_memory_budget(&budget, &err), "%s: %s", ok[i].value, err.msg);
        ck_assert_uint_eq(budget, ok[i].bytes);
    }
    setenv("UNROLL_MEMORY_LIMIT", "1M", 1);
    ck_assert(!base_memory_check((size_t)3 << 20, "training", &err));
    ck_assert_msg(strstr(err.msg, "training needs 3.0 MiB of memory, more than the limit of 1.0 MiB"), "%s", err.msg);
    static const char *const bad[] = {"abc", "-1G", "0", "4Q", "G", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("UNROLL_MEMORY_LIMIT", bad[i], 1);
        ck_assert_msg(!base_memory_budget(&budget, &err), "%s accepted", bad[i]);
        ck_assert_msg(strstr(err.msg, "UNROLL_MEMORY_LIMIT=") && strstr(err.msg, "is not a size"), "%s", err.msg);
    }
    unsetenv("UNROLL_MEMORY_LIMIT");
}
END_TEST

/* Embedding(5 -> 4), LSTM(3), Dense(2), T steps */
static void tiny_model(Model *m)
{
    model_init(m);
    Layer e = tu_embedding("embedding", 5, 4, false), r = tu_rnn("lstm", CELL_LSTM, 3, false),
          d = tu_dense("dense", 2, ACT_SOFTMAX);
    model_add_layer(m, &e);
    model_add_layer(m, &r);
    model_add_layer(m, &d);
    Err err = {{0}};
    ck_assert_msg(model_build(m, &err), "%s", err.msg);
}

START_TEST(trace_and_backprop_bytes_by_hand)
{
    Model m;
    tiny_model(&m);
    ck_assert_uint_eq(m.n_params, 124); /* 5*4 + (4*12 + 3*12 + 12) + (3*2 + 2) */
    for (int B = 1; B <= 3; B++) {
        const size_t T = 2;
        /* floats per sequence: embedding out T*4; LSTM xw T*12, h (T+1)*3,
         * c (T+1)*3, gates T*12, scratch 3 (its output points into h);
         * dense out 2 */
        size_t floats = T * 4 + T * 12 + (T + 1) * 3 * 2 + T * 12 + 3 + 2;
        size_t want = 3 * sizeof(LayerRecord) + T * B * sizeof(int) + floats * B * sizeof(float);
        ck_assert_uint_eq(trace_bytes(&m, B, (int)T, true), want);
        /* without keep, gates of one step only */
        ck_assert_uint_eq(trace_bytes(&m, B, (int)T, false), want - (T - 1) * 12 * B * sizeof(float));
        /* gradients: dout T*4 + 3 + 2, dh T*3, dg T*12 per sequence; scratch
         * 8*3 + 12 per sequence; the parameters once */
        size_t grads = ((T * 4 + 3 + 2) + T * 3 + T * 12 + (8 * 3 + 12)) * B + m.n_params;
        size_t ptrs = 3 * (sizeof(float *) + 4 * sizeof(float *[2]));
        ck_assert_uint_eq(backprop_bytes(&m, B, (int)T), ptrs + grads * sizeof(float));
    }
    ck_assert_uint_eq(trace_bytes(&m, 1, ENGINE_MAX_SEQ + 1, true), SIZE_MAX);
    model_free(&m);
}
END_TEST

/* The model of issue 11: input length 100000, Embedding 1 x 65536, Dense 1.
 * Its weights are 512 KB; one trace of it would be 26 GB. */
static char *huge_trace_model(void)
{
    char *dir = tu_tmpdir();
    const char *json =
        "{\"format\": \"layers-model\", \"modelTopology\": {\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", "
        "\"layers\": [{\"class_name\": \"Embedding\", \"config\": {\"name\": \"embedding\", \"input_dim\": 1, "
        "\"output_dim\": 65536, \"batch_input_shape\": [null, 100000]}}, {\"class_name\": \"Dense\", \"config\": "
        "{\"name\": \"dense\", \"units\": 1}}]}}, \"weightsManifest\": [{\"paths\": [\"weights.bin\"], \"weights\": "
        "[{\"name\": \"embedding/embeddings\", \"shape\": [1, 65536]}, {\"name\": \"dense/kernel\", \"shape\": [65536, 1]}, "
        "{\"name\": \"dense/bias\", \"shape\": [1]}]}]}";
    write_file(dir, "model.json", json, strlen(json));
    size_t n = (65536 * 2 + 1) * sizeof(float);
    void *zeros = calloc(n, 1);
    write_file(dir, "weights.bin", zeros, n);
    free(zeros);
    return dir;
}

static int run_unroll(const char *a1, const char *a2, const char *a3, const char *a4, char **out, char **err)
{
    const char *bin = getenv("UNROLL_BIN");
    char *argv[] = {(char *)(bin ? bin : "./unroll"), (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
    return tu_run(argv, out, err);
}

START_TEST(trace_beyond_the_budget_is_one_line)
{
    unsetenv("UNROLL_MEMORY_LIMIT");
    char *dir = huge_trace_model();
    char *out = NULL, *err = NULL;
    int rc = run_unroll("trace", dir, "--tokens", "0", &out, &err);
    ck_assert_msg(rc == 2 && out[0] == '\0', "exit %d, stderr %s", rc, err);
    ck_assert_msg(strstr(err, "unroll trace: a trace of 100000 steps through 2 layers (with its JSON) needs ") &&
                      strstr(err, "more than the limit of 4.0 GiB (set UNROLL_MEMORY_LIMIT") &&
                      strchr(err, '\n') == err + strlen(err) - 1,
                  "%s", err);
    free(out);
    free(err);
    /* loading it is fine: its weights are small */
    rc = run_unroll("summary", dir, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 0 && strstr(out, "Total params: 131,073"), "exit %d: %s", rc, err);
    free(out);
    free(err);
    /* a lower budget refuses even the weights, naming them */
    setenv("UNROLL_MEMORY_LIMIT", "100K", 1);
    rc = run_unroll("summary", dir, NULL, NULL, &out, &err);
    ck_assert_msg(rc == 2 && strstr(err, "loading the model's weights needs 1.0 MiB of memory, more than the limit of 100.0 KiB"),
                  "exit %d: %s", rc, err);
    free(out);
    free(err);
    unsetenv("UNROLL_MEMORY_LIMIT");
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(training_beyond_the_budget_is_refused)
{
    Model m;
    tiny_model(&m);
    TrainConfig cfg = {.epochs = 1, .batch_size = 4, .optimizer = OPT_ADAM};
    Trainer tr;
    Err err = {{0}};
    ck_assert_msg(trainer_init(&tr, &m, &cfg, 2, &err), "%s", err.msg);
    int tokens[16] = {0}, labels[8] = {0};
    Dataset d = {.tokens = tokens, .labels = labels, .N = 8, .T = 2};
    ck_assert_msg(trainer_check_data(&tr, &d, "rows.jsonl", &err), "%s", err.msg);
    setenv("UNROLL_MEMORY_LIMIT", "1K", 1);
    ck_assert(!trainer_check_data(&tr, &d, "rows.jsonl", &err));
    ck_assert_msg(strstr(err.msg, "rows.jsonl: training in batches of 4 rows of 2 steps needs ") &&
                      strstr(err.msg, "more than the limit of 1.0 KiB"),
                  "%s", err.msg);
    unsetenv("UNROLL_MEMORY_LIMIT");
    trainer_free(&tr);
    cfg.batch_size = ENGINE_MAX_BATCH + 1;
    ck_assert(!trainer_init(&tr, &m, &cfg, 2, &err));
    ck_assert_msg(strstr(err.msg, "batch size must be from 1 to"), "%s", err.msg);
    model_free(&m);
}
END_TEST

/* ---- parsers that were quadratic -------------------------------------------- */

/* A manifest listing one empty shard n times beside the real one: 50,000
 * listings took 24 s when each path was fetched by index. */
static bool load_with_listed_shards(int n, Err *err)
{
    Model m;
    tiny_model(&m);
    char *dir = tu_tmpdir();
    ck_assert(model_save(&m, dir, NULL, 0, err));
    model_free(&m);
    write_file(dir, "empty.bin", "", 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/model.json", dir);
    char *text = base_read_file(path, (size_t)1 << 20, NULL, err);
    ck_assert(text);
    const char *key = "\"weights.bin\"";
    char *at = strstr(text, key);
    ck_assert(at);
    StrBuf b = {0};
    strbuf_put(&b, text, (size_t)(at - text));
    for (int i = 0; i < n; i++) strbuf_puts(&b, "\"empty.bin\", ");
    strbuf_puts(&b, at);
    write_file(dir, "model.json", b.p, b.len);
    free(b.p);
    free(text);
    bool ok = model_load(&m, dir, err);
    if (ok) {
        ck_assert_uint_eq(m.n_params, 124);
        model_free(&m);
    }
    tu_rmtree(dir);
    free(dir);
    return ok;
}

START_TEST(manifest_shards_are_bounded_and_walked_once)
{
    Err err = {{0}};
    ck_assert_msg(load_with_listed_shards(MODEL_IO_MAX_SHARDS - 1, &err), "%s", err.msg);
    ck_assert(!load_with_listed_shards(100000, &err));
    ck_assert_msg(strstr(err.msg, "the weightsManifest lists more than 4096 shard files"), "%s", err.msg);
}
END_TEST

START_TEST(evaluate_rows_cap_and_long_rows)
{
    Model m;
    Err err = {{0}};
    ck_assert_msg(spec_build(&m, "input:3, embedding:5:4, lstm:3, dense:2:softmax", 0, 7, &err), "%s", err.msg);
    char *dir = tu_tmpdir();
    /* the model reads the last 3 tokens: a row of 100000 ending in 1 2 3
     * scores exactly as the row [1, 2, 3] */
    StrBuf b = {0};
    strbuf_puts(&b, "{\"label\": 1, \"tokens\": [");
    for (int i = 0; i < ENGINE_MAX_SEQ - 3; i++) strbuf_puts(&b, "4, ");
    strbuf_puts(&b, "1, 2, 3]}\n");
    write_file(dir, "long.jsonl", b.p, b.len);
    const char *shrt = "{\"label\": 1, \"tokens\": [1, 2, 3]}\n";
    write_file(dir, "short.jsonl", shrt, strlen(shrt));
    char p[4096];
    int n1 = 0, n2 = 0;
    double acc1 = 0, loss1 = 0, acc2 = 0, loss2 = 0;
    snprintf(p, sizeof p, "%s/short.jsonl", dir);
    ck_assert_msg(evaluate_rows(&m, NULL, p, &n1, &acc1, &loss1, &err), "%s", err.msg);
    snprintf(p, sizeof p, "%s/long.jsonl", dir);
    ck_assert_msg(evaluate_rows(&m, NULL, p, &n2, &acc2, &loss2, &err), "%s", err.msg);
    ck_assert_int_eq(n1, 1);
    ck_assert_int_eq(n2, 1);
    ck_assert(acc1 == acc2 && loss1 == loss2);
    /* one more token than training rows may have */
    b.len = 0;
    strbuf_puts(&b, "{\"label\": 1, \"tokens\": [");
    for (int i = 0; i < ENGINE_MAX_SEQ; i++) strbuf_puts(&b, "4, ");
    strbuf_puts(&b, "4]}\n");
    write_file(dir, "over.jsonl", b.p, b.len);
    snprintf(p, sizeof p, "%s/over.jsonl", dir);
    ck_assert(!evaluate_rows(&m, NULL, p, &n2, &acc2, &loss2, &err));
    ck_assert_msg(strstr(err.msg, "over.jsonl:1: 100001 steps is more than 100000"), "%s", err.msg);
    free(b.p);
    tu_rmtree(dir);
    free(dir);
    model_free(&m);
}
END_TEST

/* 2 MB of filters (distinct two- and three-byte characters) and a text of
 * 20,000 accented letters: 40 G byte comparisons when every character
 * scanned the filters. */
START_TEST(tokenizer_filters_are_a_set)
{
    StrBuf f = {0};
    strbuf_puts(&f, TEXT_DEFAULT_FILTERS);
    for (uint32_t cp = 0x100; f.len < ((size_t)2 << 20); cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        char u[4];
        size_t k = 0;
        if (cp < 0x800) {
            u[k++] = (char)(0xC0 | (cp >> 6));
        } else {
            u[k++] = (char)(0xE0 | (cp >> 12));
            u[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        }
        u[k++] = (char)(0x80 | (cp & 0x3F));
        strbuf_put(&f, u, k);
        if (cp == 0xFFFF) cp = 0xFF; /* around again: repeats are fine */
    }
    TokenizerConfig cfg = tokenizer_config_default();
    cfg.filters = f.p;
    Tokenizer tok;
    tokenizer_init(&tok, &cfg);
    StrBuf t = {0};
    for (int i = 0; i < 20001; i++) strbuf_puts(&t, i == 10000 ? "\xC4\x81" : "\xC3\xA9"); /* U+0101 filtered, é not */
    const char *texts[1] = {t.p};
    Err err = {{0}};
    ck_assert_msg(tokenizer_fit_on_texts(&tok, texts, 1, &err), "%s", err.msg);
    ck_assert_int_eq(tok.word_index.n, 1);
    ck_assert_int_eq(tok.word_counts.entries[0].value, 2);
    ck_assert_uint_eq(strlen(tok.word_index.entries[0].word), 2 * 10000);
    /* text_to_word_sequence builds its own set from the string */
    WordList wl;
    text_to_word_sequence(&wl, "a\xC4\x81" "b\xE2\x82\xAC" "c", f.p, true, " ");
    ck_assert_int_eq(wl.n, 3);
    word_list_free(&wl);
    tokenizer_free(&tok);
    free(t.p);

    /* a tokenizer.json may not hold filters that long */
    StrBuf j = {0};
    strbuf_puts(&j, "{\"class_name\": \"Tokenizer\", \"config\": {\"filters\": \"");
    for (int i = 0; i < TEXT_MAX_FILTERS_BYTES; i++) strbuf_puts(&j, "#");
    strbuf_puts(&j, "!\", \"word_index\": \"{\\\"a\\\": 1}\"}}");
    ck_assert(!tokenizer_parse(&tok, j.p, j.len, "tok.json", &err));
    ck_assert_msg(strstr(err.msg, "config.filters is longer than 65536 bytes"), "%s", err.msg);
    free(j.p);
    free(f.p);
}
END_TEST

/* a lesson's maxlen pads every n-gram row: rows x maxlen is bounded */
START_TEST(lesson_rows_times_maxlen_is_bounded)
{
    char *dir = tu_tmpdir();
    StrBuf b = {0};
    for (int i = 0; i < 1400; i++) strbuf_puts(&b, "the lantern\n");
    write_file(dir, "corpus.txt", b.p, b.len);
    char corpus[4096];
    snprintf(corpus, sizeof corpus, "%s/corpus.txt", dir);
    Lesson l = {0};
    l.task = LESSON_NEXT_WORD;
    l.corpus = corpus;
    l.maxlen = ENGINE_MAX_SEQ;
    LessonData ld;
    Err err = {{0}};
    ck_assert(!lesson_data_load(&ld, &l, &err));
    ck_assert_msg(strstr(err.msg, "corpus.txt: 1400 rows of 100000 tokens (maxlen) is more than 134217728 tokens"), "%s",
                  err.msg);
    l.maxlen = 4;
    ck_assert_msg(lesson_data_load(&ld, &l, &err), "%s", err.msg);
    ck_assert_int_eq(ld.rows.view.N, 1400);
    ck_assert_int_eq(ld.rows.view.T, 4);
    ck_assert_int_eq(ld.rows.view.tokens[3], 1); /* [0, 0, 0, the] -> lantern */
    lesson_data_free(&ld);
    free(b.p);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- specs --------------------------------------------------------------- */

START_TEST(spec_refuses_what_it_does_not_read)
{
    static const struct {
        const char *spec, *error;
    } cases[] = {
        {"embedding:V:4, lstm:4:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:bogus, dense:2",
         "layer 'lstm' has more than 16 parts"},
        {"embedding:V:4, lstm:4:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:seq:bogus, dense:2",
         "'lstm': unknown option 'bogus'"},
        {"embedding:V:4, lstm:4, dense:2:softmax:extra", "'dense': unexpected 'extra' (the form is dense:UNITS[:ACTIVATION])"},
        {"input:5:3:9, lstm:4, dense:2", "'input': unexpected '9'"},
        {"embedding:V:4, dropout:0.5:x, lstm:4, dense:2", "'dropout': unexpected 'x'"},
        {"input:5:2, masking:0:1, lstm:4, dense:2", "'masking': unexpected '1'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Err err = {{0}};
        ck_assert_msg(!spec_check(cases[i].spec, 10, &err), "accepted: %s", cases[i].spec);
        ck_assert_msg(strstr(err.msg, cases[i].error), "%s: got '%s'", cases[i].spec, err.msg);
    }
    Err err = {{0}};
    ck_assert_msg(spec_check("input:5:2, masking:0, lstm:4:seq:relu, dropout:0.5, dense:2:softmax", 10, &err), "%s", err.msg);
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("budget");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, budget_arithmetic_and_environment);
    tcase_add_test(tc, trace_and_backprop_bytes_by_hand);
    tcase_add_test(tc, trace_beyond_the_budget_is_one_line);
    tcase_add_test(tc, training_beyond_the_budget_is_refused);
    suite_add_tcase(s, tc);
    /* each took minutes or more before: a generous timeout, no timing asserted */
    tc = tcase_create("linear parsers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, manifest_shards_are_bounded_and_walked_once);
    tcase_add_test(tc, evaluate_rows_cap_and_long_rows);
    tcase_add_test(tc, tokenizer_filters_are_a_set);
    tcase_add_test(tc, spec_refuses_what_it_does_not_read);
    tcase_add_test(tc, lesson_rows_times_maxlen_is_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(limits_suite());
}
