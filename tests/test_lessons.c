/* test_lessons: the lessons in lessons/ as a teacher would use them, and
 * every claim their text makes, checked on what is true on any machine:
 * - every lesson parses, opens, and every one of its steps renders;
 * - every claim holds for the shipped models AND for models retrained from
 *   the lesson's own spec, data and seed on this machine. Trained weights
 *   are never compared with the shipped ones: training is chaotic, and
 *   another CPU's BLAS kernels round differently, so after a few hundred
 *   steps the weights are elsewhere (while the claims still hold);
 * - training is deterministic on one machine: the same seed twice gives the
 *   same bits;
 * - lesson 1: after "the lantern on the hill" the LSTM expects "is" or "will";
 *   of the quiz's choices it finds the quiz's answer likeliest, and the
 *   song continues the line with "is" three times and "will" twice;
 *   all three expect "morning" after "hold the light until the" (twice in
 *   the song); "sea" is unknown and after "the road is long and the" the
 *   LSTM expects "wind" or "story"; unit 3's numbers at "lantern" (shipped);
 * - lesson 2: on the held-out probe set the GRU and the LSTM are right at
 *   least 90% of the time, the SimpleRNN at most 40% (the LSTM's figure is
 *   the shipped model's: retrained, it learns the task in about half the
 *   runs, and the lesson says so); the largest |c| 17.5 and unit 18's
 *   numbers at "and" (shipped); the quiz (the GRU and the LSTM answer
 *   bread); the shipped SimpleRNN's four bars near a quarter; 15 to 30
 *   words after the job; other seeds' SimpleRNN at most 28%;
 * - lesson 3: both cells at least 90% on the probe set, and opposite answers
 *   to "not good but then bad" and "not bad but then good"; the word pushing
 *   hardest toward the answer (input attribution) is one of the last two in
 *   at least three probes of four (the shipped models: 80% and 86%, and
 *   "bad" deepest red in the step's sentence); both give the quiz's answer
 *   to its sentence; the masked state is zero before the first real word;
 * - lesson 4: the Bidirectional SimpleRNN at least 90% on lesson 2's probes,
 *   16 + 16 = 32 numbers, and "bread" at 100% on its step's sentence;
 * - lesson 5: the parameter counts quoted in the text are the model's; its
 *   models have no return_state, and the return_state step opens the cell
 *   at the last word;
 * - lesson 6: how far |dL/dh| falls from the last word to the first before
 *   training (the seeded weights) and after it, for every cell; the
 *   shipped training history at the epochs the lesson opens; plain SGD at
 *   rate 1 blowing the loss up and clipnorm 1 keeping it down over the
 *   whole 40-epoch run; other seeds' trained SimpleRNN falls at least 10^2;
 * - lesson 9, words: greedy generation from the lesson's sentence loops
 *   within 50 words (shipped: six words round from the first); fewer pairs
 *   of words are the song's at temperature 1.5 than at 0.5; characters:
 *   half to nine tenths of the words written at 1.0 are the song's, fewest
 *   at 1.5; the window's generate view writes what these checks measure;
 * - lesson 7: the standardized text, the ids, the OOV id for an unknown
 *   word and for one cut by num_words, the 15 zeros of padding, the
 *   truncated sentence keeping "awful" (and post losing it), the (1, 20, 8)
 *   of the quiz; trained on post-padded rows, the LSTM after one epoch
 *   gives every probe the same answer (53%), the pre-padded one 66% (the
 *   shipped history's epoch 1 too; 60% to 84% on other seeds); both 100%
 *   after 10 epochs; the shipped LSTM 100% on the probes;
 * - lesson 8: the convolution 75% to 90% right on the 500 held-out walks,
 *   the GRU and the LSTM at least 99% (shipped: 100%); with nothing between
 *   the two weathers (203 walks) the convolution right on all, with a clause
 *   between them 55% to 85% (the shipped 63%); a walk and the same walk
 *   with the weathers swapped get the same answer from the convolution (sun
 *   72%, shipped) and the right ones from the GRU and the LSTM (the quiz);
 *   the shipped histories: the recurrent models 100% from epoch 1, the
 *   convolution 68% after epoch 1 and 78% after epoch 10. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "history.h"
#include "model_io.h"
#include "prepare.h"
#include "prompt.h"
#include "spec.h"
#include "summary.h"
#include "testutil.h"
#include "tokenizer_io.h"
#include "unitpick.h"

/* A claim that does not hold fails the test, except in the other-seeds
 * check, which counts the runs where every claim held */
static bool counting_claims;
static int failed_claims;
#define CLAIM(cond, ...)                                       \
    do {                                                       \
        if (cond) break;                                       \
        if (!counting_claims) ck_abort_msg(__VA_ARGS__);       \
        fprintf(stderr, "  a claim fails: ");                  \
        fprintf(stderr, __VA_ARGS__);                          \
        fprintf(stderr, "\n");                                 \
        failed_claims++;                                       \
    } while (0)

static const char *lesson(const char *name)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/../lessons/%s", tu_path(""), name);
    return p;
}

START_TEST(every_lesson_opens_and_every_step_renders)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../lessons", tu_path(""));
    DIR *d = opendir(dir);
    ck_assert(d);
    struct dirent *e;
    int lessons = 0, steps = 0;
    Err err = {{0}};
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0 || e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        ck_assert_msg(app_headless_open(a, lesson(e->d_name), &err), "%s: %s", e->d_name, err.msg);
        ck_assert(a->doc->n_models == a->doc->lesson.n_cells);
        for (int k = -1; k < a->doc->lesson.n_steps; k++) {
            app_goto_lesson_step(a, k);
            ck_assert_msg(!a->message[0], "%s step %d: %s", e->d_name, k + 1, a->message);
            /* a step opens on a word, never on padding */
            ck_assert_msg(a->doc->prompt.words[a->step][0], "%s step %d opens on a padding step (%d)", e->d_name, k + 1,
                          a->step + 1);
            a->anim = 1.0f;
            app_draw(a);
            ck_assert_int_gt(a->render.n_text_boxes, 10);
            steps++;
        }
        lessons++;
    }
    closedir(d);
    ck_assert_int_ge(lessons, 7);
    fprintf(stderr, "%d lessons, %d steps rendered\n", lessons, steps);
    app_headless_destroy(a);
}
END_TEST

/* retrains cell k of a lesson from its own settings */
static void retrain(const Lesson *l, const LessonData *ld, int k, Model *m)
{
    Err err = {{0}};
    ck_assert_msg(lesson_model_new(m, l, ld, k, &err), "%s", err.msg);
    TrainConfig cfg = lesson_train_config(l);
    Trainer tr;
    ck_assert_msg(trainer_init(&tr, m, &cfg, ld->rows.view.T, &err), "%s", err.msg);
    EpochStats st;
    for (int e = 0; e < cfg.epochs; e++) ck_assert_msg(trainer_epoch(&tr, &ld->rows.view, NULL, &st, NULL, NULL, &err), "%s", err.msg);
    trainer_free(&tr);
}

static double probe(const Model *m, const Tokenizer *tok, const char *file)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/../lessons/%s", tu_path(""), file);
    int n = 0;
    double acc = 0, loss = 0;
    Err err = {{0}};
    ck_assert_msg(evaluate_rows(m, tok, p, &n, &acc, &loss, &err), "%s", err.msg);
    ck_assert_int_ge(n, 100);
    return acc;
}

/* how many held-out rows a probe file has, and a model's accuracy on them */
static double probe_n(const Model *m, const Tokenizer *tok, const char *file, int *n)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/../lessons/%s", tu_path(""), file);
    double acc = 0, loss = 0;
    Err err = {{0}};
    ck_assert_msg(evaluate_rows(m, tok, p, n, &acc, &loss, &err), "%s", err.msg);
    return acc;
}

static const float *run(const Model *m, const Tokenizer *tok, const char *text, Trace *tr)
{
    Prompt p;
    Err err = {{0}};
    ck_assert_msg(prompt_encode(&p, tok, text, m->seq_len, &err), "%s", err.msg);
    trace_init(tr, m, 1, p.n, true);
    model_forward(tr, p.tokens, NULL);
    prompt_free(&p);
    return tr->layers[m->n_layers - 1].out;
}

/* the index of a model's likeliest next word after text, and the second */
static int top_two(const Model *m, const Tokenizer *tok, const char *text, int *second)
{
    Trace tr;
    const float *p = run(m, tok, text, &tr);
    int C = m->layers[m->n_layers - 1].out_dim, a = 1, b = 2;
    for (int j = 1; j < C; j++) a = p[j] > p[a] ? j : a;
    for (int j = 1; j < C; j++) b = j != a && (b == a || p[j] > p[b]) ? j : b;
    trace_free(&tr);
    if (second) *second = b;
    return a;
}

/* how many lines of a corpus start with prefix, and how many of them go
 * on with word */
static int corpus_lines(const char *corpus, const char *prefix, const char *word, int *with_word)
{
    FILE *f = fopen(corpus, "r");
    ck_assert_msg(f, "cannot read %s", corpus);
    char line[512];
    int n = 0, w = 0;
    size_t k = strlen(prefix);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, prefix, k) != 0) continue;
        n++;
        w += strncmp(line + k, word, strlen(word)) == 0 && line[k + strlen(word)] == ' ';
    }
    fclose(f);
    *with_word = w;
    return n;
}

/* lesson 1, "Three cells, one line": after "hold the light until the" all
 * three expect "morning", and the song has that line twice, always with
 * "morning"; "Your turn": "sea" is not in the vocabulary, and after "the
 * road is long and the" the LSTM's two likeliest words are "wind" and
 * "story", the two the song puts there (one line each) */
static void lesson1_compare_and_your_turn(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    const LessonStep *cmp = NULL, *turn = NULL;
    for (int k = 0; k < l->n_steps; k++) {
        if (!strcmp(l->steps[k].title, "Three cells, one line")) cmp = &l->steps[k];
        if (!strcmp(l->steps[k].title, "Your turn")) turn = &l->steps[k];
    }
    ck_assert(cmp && cmp->dir.sentence && !strcmp(cmp->dir.sentence, "hold the light until the"));
    ck_assert(strstr(cmp->text, "expect \"morning\""));
    ck_assert(strstr(turn ? turn->text : "", "expects \"wind\" or \"story\""));
    for (int k = 0; k < l->n_cells; k++) {
        int w = top_two(&models[k], tok, cmp->dir.sentence, NULL);
        fprintf(stderr, "01-lyrics.md %s (%s): after \"%s\" %s\n", lesson_cell_name(l->cells[k]), which, cmp->dir.sentence,
                tokenizer_index_word(tok, w));
        CLAIM(!strcmp(tokenizer_index_word(tok, w), "morning"), "%s %s: after \"%s\" %s, the lesson says morning", which,
              lesson_cell_name(l->cells[k]), cmp->dir.sentence, tokenizer_index_word(tok, w));
    }
    int with = 0;
    /* the introduction and the quiz step: "the 28 lines", "this line opens five of the song's 28 lines" */
    ck_assert(strstr(l->intro, "the 28 lines") && strstr(l->steps[2].text, "opens five of the song's 28 lines"));
    ck_assert_int_eq(corpus_lines(l->corpus, "", "", &with), 28);
    ck_assert_int_eq(corpus_lines(l->corpus, "the lantern on the hill ", "is", &with), 5);
    ck_assert_int_eq(corpus_lines(l->corpus, "hold the light until the ", "morning", &with), 2);
    ck_assert_int_eq(with, 2);
    ck_assert(turn && turn->dir.sentence && !strcmp(turn->dir.sentence, "the road is long and the sea"));
    ck_assert_int_eq(turn->dir.step, 5); /* opens on the last word read, "the" */
    ck_assert_int_le(tokenizer_word_index(tok, "sea"), 0);
    int second = 0, first = top_two(&models[2], tok, turn->dir.sentence, &second);
    const char *wa = tokenizer_index_word(tok, first), *wb = tokenizer_index_word(tok, second);
    fprintf(stderr, "01-lyrics.md lstm (%s): after \"%s\" %s, %s\n", which, turn->dir.sentence, wa, wb);
    CLAIM((!strcmp(wa, "wind") && !strcmp(wb, "story")) || (!strcmp(wa, "story") && !strcmp(wb, "wind")),
          "%s LSTM: after the road line %s, %s; the lesson says wind or story", which, wa, wb);
    int n = corpus_lines(l->corpus, "the road is long and the ", "wind", &with);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(with, 1);
    ck_assert_int_eq(corpus_lines(l->corpus, "the road is long and the ", "story", &with), 2);
    ck_assert_int_eq(with, 1);
}

/* lesson 1: the LSTM's two most likely words after the lantern line */
static void lesson1_is_or_will(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    (void)l;
    const Model *m = &models[2];
    Trace tr;
    const float *p = run(m, tok, "the lantern on the hill", &tr);
    int C = m->layers[m->n_layers - 1].out_dim, a = 1, b = 2;
    for (int j = 1; j < C; j++) a = p[j] > p[a] ? j : a;
    for (int j = 1; j < C; j++) b = j != a && (b == a || p[j] > p[b]) ? j : b;
    const char *wa = tokenizer_index_word(tok, a), *wb = tokenizer_index_word(tok, b);
    fprintf(stderr, "01-lyrics.md lstm (%s): after the lantern line %s %.2f, %s %.2f\n", which, wa, (double)p[a], wb,
            (double)p[b]);
    CLAIM((!strcmp(wa, "is") && !strcmp(wb, "will")) || (!strcmp(wa, "will") && !strcmp(wb, "is")), "%s LSTM: %s, %s",
          which, wa, wb);
    /* the judged quiz: of its choices, the LSTM finds its answer most likely */
    const LessonDirectives *q = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (l->steps[k].dir.quiz) q = &l->steps[k].dir;
    ck_assert_msg(q && q->answer && q->n_choices >= 2, "lesson 1's quiz is not a judged multiple choice");
    int best = -1;
    float pbest = -1;
    for (int k = 0; k < q->n_choices; k++) {
        int id = tokenizer_word_index(tok, q->choices[k]);
        ck_assert_msg(id > 0, "quiz choice '%s' is not in the vocabulary", q->choices[k]);
        if (p[id] > pbest) {
            pbest = p[id];
            best = k;
        }
    }
    fprintf(stderr, "01-lyrics.md quiz (%s): the LSTM's likeliest choice is %s (%.2f)\n", which, q->choices[best], (double)pbest);
    CLAIM(!strcmp(q->choices[best], q->answer), "%s LSTM: the quiz's answer is %s, the model's likeliest choice %s", which,
          q->answer, q->choices[best]);
    /* its explanation: in the song the line goes on with "is" three times, "will" twice */
    ck_assert(q->explain && strstr(q->explain, "\"is\" three times") && strstr(q->explain, "\"will\" twice"));
    FILE *f = fopen(l->corpus, "r");
    ck_assert_msg(f, "cannot read %s", l->corpus);
    char line[512];
    int n_is = 0, n_will = 0;
    while (fgets(line, sizeof line, f)) {
        n_is += strncmp(line, "the lantern on the hill is ", 27) == 0;
        n_will += strncmp(line, "the lantern on the hill will ", 29) == 0;
    }
    fclose(f);
    ck_assert_int_eq(n_is, 3);
    ck_assert_int_eq(n_will, 2);
    trace_free(&tr);
    lesson1_compare_and_your_turn(l, models, tok, which);
    /* "Inside the LSTM cell": unit 3 at "lantern" (the step's highlight),
     * f 0.89, c_prev 0.77, i 0.99, g 1.00, c 1.68: the shipped LSTM's */
    const LessonStep *in = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (!strcmp(l->steps[k].title, "Inside the LSTM cell")) in = &l->steps[k];
    ck_assert(in && in->dir.step == 1 && in->dir.highlight_unit == 3 && !strcmp(in->dir.highlight_vec, "f"));
    ck_assert(strstr(in->text, "0.89 × 0.77 + 0.99 × 1.00 = 1.68"));
    Trace t3;
    run(&models[2], tok, l->sentence, &t3);
    const RunRecord *rr = &t3.layers[1].run[0];
    const int H = rr->H, j = 3, t = 1;
    const float *g = rr->gates + (size_t)t * 4 * (size_t)H;
    float fg = g[H + j], in_g = g[j], cand = g[2 * H + j], cprev = rr->c[(size_t)t * H + j], c = rr->c[(size_t)(t + 1) * H + j];
    fprintf(stderr, "01-lyrics.md lstm (%s): unit 3 at 'lantern': f %.4f c_prev %.4f i %.4f g %.4f c %.4f\n", which, (double)fg,
            (double)cprev, (double)in_g, (double)cand, (double)c);
    if (!strcmp(which, "shipped"))
        ck_assert(fabsf(fg - 0.89f) < 0.005f && fabsf(cprev - 0.77f) < 0.005f && fabsf(in_g - 0.99f) < 0.005f &&
                  fabsf(cand - 1.00f) < 0.005f && fabsf(c - 1.68f) < 0.005f);
    trace_free(&t3);
}

/* lesson 3: word order decides, for both cells */
static void lesson3_word_order(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    for (int k = 0; k < l->n_cells; k++) {
        Trace t1, t2;
        float bad = run(&models[k], tok, "the film was not good but then bad", &t1)[0];
        float good = run(&models[k], tok, "the film was not bad but then good", &t2)[0];
        CLAIM(bad < 0.5f && good > 0.5f, "%s %s: %g %g", which, lesson_cell_name(l->cells[k]), (double)bad, (double)good);
        trace_free(&t1);
        trace_free(&t2);
    }
    /* the negation step's figures: "On 300 sentences they never saw ...
     * (here: the SimpleRNN every time, the LSTM 94%)", the shipped models' */
    const LessonStep *neg = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (!strcmp(l->steps[k].title, "Negation")) neg = &l->steps[k];
    ck_assert(neg && strstr(neg->text, "On 300 sentences") && strstr(neg->text, "the SimpleRNN every time, the LSTM 94%"));
    if (!strcmp(which, "shipped")) {
        int n = 0;
        double acc_rnn = probe_n(&models[0], tok, "sentiment/probe.jsonl", &n);
        ck_assert_int_eq(n, 300);
        double acc_lstm = probe_n(&models[1], tok, "sentiment/probe.jsonl", &n);
        ck_assert_msg(acc_rnn == 1.0 && lround(acc_lstm * 100) == 94, "SimpleRNN %.3f, LSTM %.3f", acc_rnn, acc_lstm);
    }
    /* the judged quiz: every cell gives the quiz's answer on its sentence
     * (its explanation says both cells do) */
    const LessonStep *qs = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (l->steps[k].dir.quiz) qs = &l->steps[k];
    ck_assert_msg(qs && qs->dir.answer && qs->dir.n_choices == l->n_labels && qs->dir.sentence,
                  "lesson 3's quiz is not a judged choice between its labels on a sentence");
    for (int k = 0; k < l->n_cells; k++) {
        Trace tq;
        float pq = run(&models[k], tok, qs->dir.sentence, &tq)[0];
        const char *said = l->labels[pq > 0.5f ? 1 : 0];
        fprintf(stderr, "03-sentiment.md quiz (%s): %s says %s (%.3f)\n", which, lesson_cell_name(l->cells[k]), said, (double)pq);
        CLAIM(!strcmp(said, qs->dir.answer), "%s %s: \"%s\" is %s, the quiz's answer %s", which, lesson_cell_name(l->cells[k]),
              qs->dir.sentence, said, qs->dir.answer);
        trace_free(&tq);
    }
}

/* lesson 4: "on the 200 held-out sentences of lesson 2 ... (here: every
 * time)", the shipped model's figure */
static void lesson4_every_time(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    const LessonStep *st = &l->steps[1];
    ck_assert(strstr(st->text, "200 held-out sentences") && strstr(st->text, "(the one shipped with this lesson: every time)"));
    int n = 0;
    double acc = probe_n(&models[0], tok, "memory/probe.jsonl", &n);
    ck_assert_int_eq(n, 200);
    if (!strcmp(which, "shipped")) ck_assert_msg(acc == 1.0, "lesson 4 shipped: %.3f", acc);
    /* merge mode concat: 16 + 16 = 32 numbers */
    ck_assert(strstr(l->intro ? l->intro : "", "16 + 16 = 32 numbers"));
    ck_assert_int_eq(models[0].layers[1].out_dim, 32);
    /* "It answers "bread" here, 100%" (the step's sentence) */
    ck_assert(strstr(st->text, "It answers \"bread\" here, 100%") && st->dir.sentence);
    Trace tr;
    const float *p = run(&models[0], tok, st->dir.sentence, &tr);
    fprintf(stderr, "04-bidirectional.md (%s): bread %.4f on the step's sentence\n", which, (double)p[1]);
    ck_assert(!strcmp(l->labels[1], "bread"));
    CLAIM(p[1] >= 0.995f, "%s: bread %.4f, the lesson says 100%%", which, (double)p[1]);
    trace_free(&tr);
}

/* lesson 3, "Which words decided" (input attribution): the fraction of the
 * probe sentences whose strongest push toward the model's answer (gradient
 * x input of its log-odds at the last step) comes from the last word or the
 * one before it */
static double lesson3_verdict_share(const Model *m, const Tokenizer *tok)
{
    char path[4096], line[1024];
    snprintf(path, sizeof path, "%s/../lessons/sentiment/probe.jsonl", tu_path(""));
    FILE *f = fopen(path, "r");
    ck_assert(f);
    int n = 0, near_end = 0;
    while (fgets(line, sizeof line, f)) {
        char *a = strstr(line, "\"text\": \"");
        ck_assert(a);
        a += 9;
        char *b = strchr(a, '"');
        ck_assert(b);
        *b = '\0';
        Prompt p;
        Err err = {{0}};
        ck_assert_msg(prompt_encode(&p, tok, a, m->seq_len, &err), "%s", err.msg);
        int T = p.n, k = 0, top = 0;
        float *g = xcalloc((size_t)T, sizeof *g);
        ck_assert(model_attrib_prediction(NULL, &k, m, p.tokens, NULL, T, T - 1, &err));
        ck_assert(model_attribute(g, m, p.tokens, NULL, T, T - 1, k, ATTRIB_GRADIENT, &err));
        for (int t = 0; t < T; t++) top = g[t] > g[top] ? t : top;
        near_end += top >= T - 2;
        n++;
        free(g);
        prompt_free(&p);
    }
    fclose(f);
    ck_assert_int_ge(n, 100);
    return (double)near_end / n;
}

static void lesson3_which_words(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    static const double quoted[2] = {0.80, 0.86}; /* SimpleRNN, LSTM: the shipped models' */
    for (int k = 0; k < l->n_cells; k++) {
        const Model *m = &models[k];
        double share = lesson3_verdict_share(m, tok);
        fprintf(stderr, "03-sentiment.md %s (%s): strongest push from the last two words in %.3f of the probes\n",
                lesson_cell_name(l->cells[k]), which, share);
        CLAIM(share >= 0.75, "%s %s: the last two words push hardest in only %.3f of the probes (the lesson: three in four)", which,
              lesson_cell_name(l->cells[k]), share);
        if (strcmp(which, "shipped") != 0) continue;
        /* the shipped models' figures as quoted, and "bad" deepest red on the step's sentence */
        ck_assert_msg(fabs(share - quoted[k]) <= 0.015, "%s: %.3f, the lesson says %.2f", lesson_cell_name(l->cells[k]), share,
                      quoted[k]);
        Prompt p;
        Err err = {{0}};
        ck_assert(prompt_encode(&p, tok, "the film was not good but then bad", m->seq_len, &err));
        int T = p.n, cls = -1, top = 0, good = -1;
        float g[64];
        ck_assert(T <= 64);
        ck_assert(model_attrib_prediction(NULL, &cls, m, p.tokens, NULL, T, T - 1, &err));
        ck_assert_int_eq(cls, 0); /* negative */
        ck_assert(model_attribute(g, m, p.tokens, NULL, T, T - 1, cls, ATTRIB_GRADIENT, &err));
        for (int t = 0; t < T; t++) {
            top = g[t] > g[top] ? t : top;
            if (!strcmp(p.words[t], "good")) good = t;
        }
        ck_assert_msg(!strcmp(p.words[top], "bad"), "%s: the deepest red is '%s'", lesson_cell_name(l->cells[k]), p.words[top]);
        ck_assert(good >= 0 && g[good] < g[top]);
        prompt_free(&p);
    }
}

/* lesson 3, "Masks skip the padding": at the first real word of the
 * step's sentence the state the cell starts from (h and c after the six
 * padding steps) is all zero, for both cells; the step opens on it */
static void lesson3_masked_start(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    const LessonStep *st = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (!strcmp(l->steps[k].title, "Masks skip the padding")) st = &l->steps[k];
    ck_assert(st && st->dir.sentence && strstr(st->text, "still all zero after six padding steps"));
    ck_assert_int_eq(st->dir.step, 6);
    for (int k = 0; k < l->n_cells; k++) {
        Trace tr;
        run(&models[k], tok, st->dir.sentence, &tr);
        const RunRecord *rr = &tr.layers[1].run[0];
        ck_assert_int_eq(rr->T, 10);
        float most = 0;
        for (int j = 0; j < rr->H; j++) {
            most = fmaxf(most, fabsf(rr->h[(size_t)6 * (size_t)rr->H + (size_t)j]));
            if (rr->c) most = fmaxf(most, fabsf(rr->c[(size_t)6 * (size_t)rr->H + (size_t)j]));
        }
        CLAIM(most == 0.0f, "%s %s: the state before the first word is %g, not zero", which, lesson_cell_name(l->cells[k]), (double)most);
        /* and the first real word moves it */
        float moved = 0;
        for (int j = 0; j < rr->H; j++) moved = fmaxf(moved, fabsf(rr->h[(size_t)7 * (size_t)rr->H + (size_t)j]));
        ck_assert(moved > 0.0f);
        trace_free(&tr);
    }
}

static void lesson3_claims(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    lesson3_word_order(l, models, tok, which);
    lesson3_which_words(l, models, tok, which);
    lesson3_masked_start(l, models, tok, which);
}

/* lesson 5: every "= N" and the "Total params: N" of the text are the model's */
static void lesson5_parameter_counts(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    (void)tok;
    (void)which;
    const Model *m = &models[0];
    const LessonStep *st = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (strstr(l->steps[k].title, "parameters")) st = &l->steps[k];
    ck_assert(st);
    static const char *const names[] = {"embedding:", "first LSTM:", "second LSTM:", "dense:"};
    for (int i = 0; i < 4; i++) {
        const char *p = strstr(st->text, names[i]);
        ck_assert_msg(p, "no count for %s", names[i]);
        const char *eq = strstr(p, "= ");
        ck_assert(eq);
        char num[32] = {0};
        for (int k = 0, j = 2; eq[j] && (eq[j] == ',' || (eq[j] >= '0' && eq[j] <= '9')) && k < 30; j++)
            if (eq[j] != ',') num[k++] = eq[j];
        ck_assert_uint_eq((size_t)atol(num), layer_param_count(&m->layers[i]));
    }
    char total[64], want[80];
    summary_thousands(model_param_count(m), total, sizeof total);
    snprintf(want, sizeof want, "Total params: %s", total);
    ck_assert_msg(strstr(st->text, want), "the text does not say %s", want);
    char *table = summary_text(m);
    ck_assert(strstr(table, want));
    free(table);
    /* the return_state step: the models do not ask for states (so trace
     * lists none), and the step opens the cell at the last word, where
     * the h and c that return_state would give are drawn */
    for (int i = 0; i < m->n_layers; i++) ck_assert(!m->layers[i].return_state);
    const LessonStep *rs = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (!strcmp(l->steps[k].title, "return_state")) rs = &l->steps[k];
    ck_assert(rs && strstr(rs->text, "do not ask for them"));
    ck_assert_int_eq(rs->dir.view, VIEW_INSPECTOR);
    int words = 1;
    for (const char *c = l->sentence; *c; c++) words += *c == ' ';
    ck_assert_int_eq(rs->dir.step, words - 1);
}

/* lesson 6: the vanishing gradient on the lesson's sentence, as the
 * gradients view shows it (the loss of the class each model chooses),
 * before training (the seeded initial weights, which are the same on any
 * machine), after it, through the shipped training history, and the
 * exploding-gradient experiment of the last step. Measured (log10 of
 * last/first |dL/dh|) on seeds 4, 1004 ... 5004: at epoch 0 SimpleRNN
 * 0.06 to 0.10, GRU 5.5 to 6.2, LSTM 2.9 to 3.3; trained SimpleRNN 3.4 to
 * 11.9 with the Haswell kernels, from 2.78 with Cooperlake's (shipped
 * 10.1), GRU 0.8 to 3.1 (shipped 1.2), LSTM 0.75 shipped. */
static double lesson6_fall(const Model *m, const Tokenizer *tok, const char *sentence, double *gate_mean)
{
    Trace tr;
    const float *o = run(m, tok, sentence, &tr);
    int C = m->layers[m->n_layers - 1].out_dim, best = 0;
    for (int j = 1; j < C; j++) best = o[j] > o[best] ? j : best;
    float *(*norms)[2] = xcalloc((size_t)m->n_layers, sizeof *norms);
    int li = 1; /* Embedding, then the recurrent layer */
    norms[li][0] = xcalloc((size_t)tr.T, sizeof(float));
    Err err = {{0}};
    ck_assert_msg(trace_gradient_norms(&tr, best, (float *const(*)[2])norms, &err), "%s", err.msg);
    double fall = log10(norms[li][0][tr.T - 1] / fmax(norms[li][0][0], 1e-38));
    if (gate_mean) { /* GRU z (block 0) or LSTM f (block 1), over every real step and unit */
        const RunRecord *rr = &tr.layers[li].run[0];
        int blk = m->layers[li].cell[0].kind == CELL_GRU ? 0 : 1;
        double sum = 0;
        int n = 0;
        for (int t = 0; t < tr.T; t++) {
            if (rr->mask && !rr->mask[t]) continue;
            for (int j = 0; j < rr->H; j++, n++) sum += rr->gates[(size_t)t * (size_t)rr->G * (size_t)rr->H + (size_t)blk * (size_t)rr->H + (size_t)j];
        }
        *gate_mean = n ? sum / n : 0;
    }
    free(norms[li][0]);
    free(norms);
    trace_free(&tr);
    return fall;
}

/* SimpleRNN from the lesson's seed, plain SGD at learning rate 1, as the
 * training view runs it: without clipping, the loss after 10 epochs; with
 * clipnorm, the largest loss over all the lesson's epochs (the training
 * view runs them all) */
static void lesson6_explode(const Lesson *l, const Tokenizer *tok, float clipnorm, double *last, double *largest)
{
    LessonData ld;
    Err err = {{0}};
    ck_assert_msg(lesson_data_load(&ld, l, &err), "%s", err.msg);
    (void)tok;
    Model m;
    ck_assert_msg(lesson_model_new(&m, l, &ld, 0, &err), "%s", err.msg);
    TrainConfig cfg = lesson_train_config(l);
    cfg.epochs = clipnorm > 0 ? l->epochs : 10; /* with clipping: the whole run the training view makes */
    cfg.optimizer = OPT_SGD;
    cfg.lr = 1.0f;
    cfg.clipnorm = clipnorm;
    Trainer tr;
    ck_assert_msg(trainer_init(&tr, &m, &cfg, ld.rows.view.T, &err), "%s", err.msg);
    *largest = 0;
    EpochStats st = {0};
    for (int e = 0; e < cfg.epochs; e++) {
        ck_assert_msg(trainer_epoch(&tr, &ld.rows.view, NULL, &st, NULL, NULL, &err), "%s", err.msg);
        *largest = fmax(*largest, st.loss);
    }
    *last = st.loss;
    trainer_free(&tr);
    model_free(&m);
    lesson_data_free(&ld);
}

static void lesson6_vanishing(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    double start[3] = {0}, end[3] = {0}, gate[3] = {0};
    int vocab = tok->max_index + 1;
    for (int k = 0; k < 3; k++) {
        Model fresh;
        Err err = {{0}};
        char *spec = lesson_spec_for(l, k);
        ck_assert_msg(spec_build(&fresh, spec, vocab, l->seed, &err), "%s", err.msg);
        free(spec);
        start[k] = lesson6_fall(&fresh, tok, l->sentence, k ? &gate[k] : NULL);
        end[k] = lesson6_fall(&models[k], tok, l->sentence, NULL);
        model_free(&fresh);
    }
    fprintf(stderr, "06-gradients.md (%s): log10 last/first |dL/dh| at epoch 0: %.2f %.2f %.2f; trained: %.2f %.2f %.2f; "
            "GRU z %.2f, LSTM f %.2f at epoch 0\n", which, start[0], start[1], start[2], end[0], end[1], end[2], gate[1], gate[2]);
    /* step 1: "about 1.2 times (10^0.1)", "about a million (10^5.5 to 10^6.2)",
     * "about a thousand (10^2.9 to 10^3.3)", GRU z "one half", LSTM f "0.73"
     * (sigmoid of Keras' forget bias 1) on average over the sentence */
    CLAIM(fabs(start[0]) <= 0.15, "%s: SimpleRNN at epoch 0 falls 10^%.2f, the lesson says about 10^0.1", which, start[0]);
    CLAIM(start[1] >= 5.4 && start[1] <= 6.3, "%s: GRU at epoch 0 falls 10^%.2f, the lesson says 10^5.5 to 10^6.2", which, start[1]);
    CLAIM(start[2] >= 2.85 && start[2] <= 3.35, "%s: LSTM at epoch 0 falls 10^%.2f, the lesson says 10^2.9 to 10^3.3", which,
          start[2]);
    CLAIM(gate[1] > 0.45 && gate[1] < 0.55 && gate[2] > 0.68 && gate[2] < 0.78,
          "%s: gates at epoch 0: GRU z %.2f (the lesson says one half), LSTM f %.2f (about 0.73)", which, gate[1], gate[2]);
    /* step 2: a trained GRU falls at least 100x less than before training
     * (measured 10^3.1 to 10^5.2 less). The trained SimpleRNN's figure
     * depends on where training ends up (10^3.4 to 10^11.9 on the seeds
     * measured here; another machine's rounding lands elsewhere), so only
     * the shipped model's is checked, below. */
    CLAIM(start[1] - end[1] >= 2, "%s: trained GRU falls 10^%.2f (10^%.2f at epoch 0)", which, end[1], start[1]);
    /* "we measured falls from 10^2.2 to 10^16 ...: always at least a hundred
     * times" (Haswell kernels: 10^3.4 to 10^11.9; Cooperlake's: from 10^2.78;
     * Prescott's: 10^2.21 to 10^15.81). The range is a record of those runs;
     * what holds on any kernel, and is checked, is the hundredfold fall. */
    if (strncmp(which, "seed ", 5) == 0)
        CLAIM(end[0] >= 2.0, "%s: the trained SimpleRNN falls 10^%.2f, the lesson says at least a hundred times", which, end[0]);
    /* step 5: SGD at rate 1 without clipping climbs above 3 (guessing
     * gives 1.39); with clipnorm 1 it stays under 3 (measured: unclipped
     * 3.6 to 12.3, clipped at most 1.94 to 2.61 over the seeds, with the
     * Haswell and the Cooperlake kernels) */
    double last = 0, largest = 0, clip_last = 0, clip_largest = 0;
    lesson6_explode(l, tok, 0, &last, &largest);
    lesson6_explode(l, tok, 1.0f, &clip_last, &clip_largest);
    fprintf(stderr, "06-gradients.md (%s): SGD lr 1: loss after 10 epochs %.3f; with clipnorm 1 at most %.3f\n", which, last,
            clip_largest);
    CLAIM(last > 3.0 && clip_largest < 3.0, "%s: SGD lr 1 ends at loss %.3f, with clipnorm 1 at most %.3f", which, last,
          clip_largest);
    if (strcmp(which, "shipped") != 0) return;
    /* the shipped models' own figures, and their training history */
    CLAIM(start[0] > -0.1 && start[0] < 0.1 && fabs(pow(10, start[0]) - 1.2) < 0.1, "shipped: epoch 0 SimpleRNN 10^%.2f", start[0]);
    CLAIM(end[0] >= 9.5 && end[0] <= 10.5, "shipped SimpleRNN falls 10^%.2f, the lesson says about 10^10", end[0]);
    CLAIM(pow(10, end[1]) >= 14 && pow(10, end[1]) <= 18, "shipped GRU falls %.1f times, the lesson says about 16", pow(10, end[1]));
    CLAIM(pow(10, end[2]) >= 5 && pow(10, end[2]) <= 7, "shipped LSTM falls %.1f times, the lesson says about 6", pow(10, end[2]));
    CLAIM(end[0] - start[0] >= 3, "shipped SimpleRNN: trained 10^%.2f, epoch 0 10^%.2f", end[0], start[0]);
    /* steps 3 and 4 through history.bin: SimpleRNN 10^7 after 3 epochs,
     * 10^0.8 after 12, 10^20 after 35; GRU 10^6 after 7, 10^1.2 and sure of
     * "bread" after 10, still steep after 3; LSTM still steep after 10 */
    double at[3][41] = {{0}};
    double p_bread = 0;
    for (int k = 0; k < 3; k++) {
        char *dir = lesson_model_dir(l, k);
        History h;
        bool absent = false;
        Err err = {{0}};
        ck_assert_msg(history_load_beside(&h, dir, models[k].n_params, &absent, &err), "%s: %s", dir, absent ? "no history.bin" : err.msg);
        free(dir);
        ck_assert_int_eq(h.n, l->epochs + 1);
        /* its last epoch is the shipped model */
        ck_assert(memcmp(history_snapshot(&h, h.n - 1), models[k].params, models[k].n_params * sizeof(float)) == 0);
        Model snap;
        char *spec = lesson_spec_for(l, k);
        ck_assert_msg(spec_build(&snap, spec, vocab, l->seed, &err), "%s", err.msg);
        free(spec);
        /* its epoch 0 is the seeded model */
        ck_assert(memcmp(history_snapshot(&h, 0), snap.params, snap.n_params * sizeof(float)) == 0);
        for (int e = 0; e < h.n && e <= 40; e++) {
            history_apply(&h, e, &snap);
            at[k][e] = lesson6_fall(&snap, tok, l->sentence, NULL);
            if (k == 1 && e == 10) {
                Trace tr;
                const float *o = run(&snap, tok, l->sentence, &tr);
                p_bread = o[1];
                trace_free(&tr);
            }
        }
        model_free(&snap);
        history_free(&h);
    }
    CLAIM(fabs(at[0][3] - 7) < 0.5 && fabs(at[0][12] - 0.8) < 0.1 && fabs(at[0][35] - 20) < 0.5,
          "shipped history SimpleRNN: 10^%.2f after 3, 10^%.2f after 12, 10^%.2f after 35", at[0][3], at[0][12], at[0][35]);
    CLAIM(fabs(at[1][7] - 6) < 0.5 && fabs(at[1][10] - 1.2) < 0.05 && p_bread > 0.95 && at[1][3] > 5,
          "shipped history GRU: 10^%.2f after 7, 10^%.2f after 10 (bread %.2f), 10^%.2f after 3", at[1][7], at[1][10], p_bread,
          at[1][3]);
    CLAIM(at[2][10] > 3 && at[2][40] < 1, "shipped history LSTM: 10^%.2f after 10, 10^%.2f after 40", at[2][10], at[2][40]);
}

/* lesson 2's other steps: the chart picks over 600 rows (as the text
 * says); the quiz (the GRU and the LSTM answer bread, the SimpleRNN does
 * not: the shipped models the window shows; retrained, the GRU); the last
 * step's bars (the shipped SimpleRNN: colour 28%, bread 23%, all four
 * close to a quarter); the SimpleRNN never better than 28% with other
 * seeds; and 15 to 30 words after the job in every sentence */
static void lesson2_steps(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    ck_assert_int_eq(DOC_PICK_ROWS, 600);
    ck_assert(strstr(l->steps[1].text, "over 600 of the lesson's training sentences"));
    const LessonStep *qs = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (l->steps[k].dir.quiz) qs = &l->steps[k];
    ck_assert(qs && qs->dir.answer && !strcmp(qs->dir.answer, "the GRU and the LSTM"));
    const int bread = 1;
    ck_assert(!strcmp(l->labels[bread], "bread"));
    bool shipped = !strcmp(which, "shipped");
    for (int k = 0; k < l->n_cells; k++) {
        Trace tr;
        const float *p = run(&models[k], tok, l->sentence, &tr);
        int best = 0;
        for (int j = 1; j < 4; j++) best = p[j] > p[best] ? j : best;
        fprintf(stderr, "02-memory.md quiz (%s): %s answers %s (%.3f)\n", which, lesson_cell_name(l->cells[k]), l->labels[best],
                (double)p[best]);
        if (k == 1 || shipped) CLAIM((best == bread) == (k > 0), "%s %s answers %s", which, lesson_cell_name(l->cells[k]), l->labels[best]);
        if (k == 0 && shipped) {
            CLAIM(!strcmp(l->labels[best], "colour") && fabsf(p[best] - 0.28f) < 0.005f && fabsf(p[bread] - 0.23f) < 0.005f,
                  "shipped SimpleRNN: %s %.3f, bread %.3f; the lesson says colour 28%%, bread 23%%", l->labels[best], (double)p[best],
                  (double)p[bread]);
            for (int j = 0; j < 4; j++) CLAIM(p[j] > 0.2f && p[j] < 0.3f, "shipped SimpleRNN: %s %.3f", l->labels[j], (double)p[j]);
        }
        trace_free(&tr);
    }
    if (strncmp(which, "seed ", 5) == 0) {
        double acc = probe(&models[0], tok, "memory/probe.jsonl");
        CLAIM(acc < 0.40, "%s: the SimpleRNN is right on %.3f, the lesson says always under 40%%", which, acc);
    }
    /* the introduction: 15 to 30 words after the job, in the training and the held-out sentences */
    static const char *const jobs[] = {"pilot", "sailor", "baker", "cook", "painter", "potter", "doctor", "nurse"};
    const char *files[2] = {l->data, lesson("memory/probe.jsonl")};
    int lo = 1000, hi = 0;
    for (int f = 0; f < 2; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s", files[f]);
        FILE *fp = fopen(path, "r");
        ck_assert_msg(fp, "cannot read %s", path);
        char line[8192];
        while (fgets(line, sizeof line, fp)) {
            char *a = strstr(line, "\"text\": \"");
            ck_assert(a);
            a += 9;
            char *b = strchr(a, '"');
            ck_assert(b);
            *b = '\0';
            int n = 0, job = -1;
            for (char *w = strtok(a, " "); w; w = strtok(NULL, " "), n++)
                for (int q = 0; q < 8 && job < 0; q++)
                    if (!strcmp(w, jobs[q])) job = n;
            ck_assert(job >= 0);
            lo = n - job - 1 < lo ? n - job - 1 : lo;
            hi = n - job - 1 > hi ? n - job - 1 : hi;
        }
        fclose(fp);
    }
    ck_assert_int_eq(lo, 15);
    ck_assert_int_eq(hi, 30);
}

/* ---- lesson 2 (chart helper): what the units the chart picks do ----
 * On the lesson's sentence ("my friend the baker ... talk about") the
 * LSTM's units whose final h best separates the jobs (Fisher ratio over
 * the first DOC_PICK_ROWS rows of the lesson's data, as the chart picks
 * them) are found, and for each: from the word after the job to the end,
 * its smallest f and i, its c at the job word and at the last word but one
 * ("talk"), and how many of the 32 units have f > 0.9 and i < 0.1 at each
 * step. The lesson's figures are the shipped model's; retrained models
 * find other units (and the lesson says so), so for them it is printed. */
static void lesson2_counting_units(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    const Model *m = &models[2];
    LessonData ld;
    Err err = {{0}};
    ck_assert_msg(lesson_data_load(&ld, l, &err), "%s", err.msg);
    const Dataset *ds = &ld.rows.view;
    int n = ds->N < DOC_PICK_ROWS ? ds->N : DOC_PICK_ROWS;
    Trace rows;
    trace_init(&rows, m, n, ds->T, false);
    model_forward(&rows, ds->tokens, NULL);
    const RunRecord *rr = &rows.layers[1].run[0];
    const int H = rr->H;
    float ratio[64];
    ck_assert_int_le(H, 64);
    unitpick_fisher(ratio, rr->h + (size_t)rr->T * (size_t)n * (size_t)H, ds->labels, n, H, ld.n_classes);
    int pick[3];
    unitpick_top(pick, ratio, H, 3);
    trace_free(&rows);
    lesson_data_free(&ld);

    Trace tr;
    run(m, tok, l->sentence, &tr);
    const RunRecord *run1 = &tr.layers[1].run[0];
    const int T = run1->T, job = 3; /* "my friend the baker": the job is word 4 */
    int counters = 0;
    for (int k = 0; k < 3; k++) {
        int j = pick[k];
        float fmin = 1, imin = 1, gmin = 1, hmin = 1;
        bool grows = true; /* c larger after every word from the job to "talk" */
        for (int t = job + 1; t < T; t++) {
            const float *g = run1->gates + (size_t)t * 4 * H;
            fmin = fminf(fmin, g[H + j]);
            imin = fminf(imin, g[j]);
            gmin = fminf(gmin, g[2 * H + j]);
            hmin = fminf(hmin, run1->h[(size_t)(t + 1) * H + j]);
            if (t < T - 1) grows &= run1->c[(size_t)(t + 1) * H + j] > run1->c[(size_t)t * H + j];
        }
        float c_job = run1->c[(size_t)(job + 1) * H + j], c_talk = run1->c[(size_t)(T - 1) * H + j];
        fprintf(stderr, "02-memory.md lstm (%s): pick %d unit %d (ratio %.3g): after the job f >= %.2f, i >= %.2f, g >= %.2f; c %.2f at "
                "baker, %.2f at talk\n", which, k + 1, j, (double)ratio[j], (double)fmin, (double)imin, (double)gmin, (double)c_job,
                (double)c_talk);
        /* a counter: f and i both near 1 from the job on, c climbing to 10 and more */
        if (fmin > 0.85f && imin > 0.8f && gmin > 0.75f && c_job > 0.8f && c_job < 1.5f && c_talk > 10.0f) counters++;
        if (strcmp(which, "shipped") == 0 && k > 0) {
            /* the text names the shipped model's two counters */
            CLAIM(j == (k == 1 ? 18 : 14), "%s: pick %d is unit %d, the lesson says %d", which, k + 1, j, k == 1 ? 18 : 14);
            CLAIM(fmin > 0.85f && imin > 0.8f && gmin > 0.75f, "%s unit %d: f >= %.2f, i >= %.2f, g >= %.2f after the job", which, j,
                  (double)fmin, (double)imin, (double)gmin);
            CLAIM(c_job > 0.8f && c_job < 1.5f, "%s unit %d: c at baker %.2f, the lesson says about 1", which, j, (double)c_job);
            CLAIM(c_talk > 10.0f && c_talk < 15.0f, "%s unit %d: c at talk %.2f, the lesson says 10 to 15", which, j, (double)c_talk);
            CLAIM(grows, "%s unit %d: c does not grow at every word from baker to talk", which, j);
            CLAIM(hmin > 0.85f, "%s unit %d: h falls to %.2f after the job, the lesson says above 0.85", which, j, (double)hmin);
            /* before the job: lukewarm gates (none of f, i, g, o above 0.9) */
            for (int t = 0; t < job; t++)
                for (int q = 0; q < 4; q++)
                    CLAIM(fabsf(run1->gates[(size_t)t * 4 * H + (size_t)q * H + j]) < 0.9f, "%s unit %d: gate %d is %.2f at step %d, before the job",
                          which, j, q, (double)run1->gates[(size_t)t * 4 * H + (size_t)q * H + j], t);
            const float *gj = run1->gates + (size_t)job * 4 * H;
            CLAIM(gj[j] > 0.85f && gj[2 * H + j] > 0.9f, "%s unit %d: at baker i %.2f, g %.2f, the lesson says close to 1", which, j,
                  (double)gj[j], (double)gj[2 * H + j]);
        }
    }
    int most_keepers = 0;
    float c_max = 0;
    for (int t = 0; t < T; t++) {
        const float *g = run1->gates + (size_t)t * 4 * H;
        int keepers = 0;
        for (int j = 0; j < H; j++) keepers += g[H + j] > 0.9f && g[j] < 0.1f;
        if (keepers > most_keepers) most_keepers = keepers;
        for (int j = 0; j < H; j++) c_max = fmaxf(c_max, fabsf(run1->c[(size_t)(t + 1) * H + j]));
    }
    fprintf(stderr, "02-memory.md lstm (%s): %d counters among the 3 picks; at most %d of %d units with f > 0.9 and i < 0.1 at any "
            "step; largest |c| %.1f\n", which, counters, most_keepers, H, (double)c_max);
    if (strncmp(which, "seed ", 5) == 0) {
        /* the lesson: with other seeds the LSTM mostly got stuck (5 of 5 with
         * Haswell kernels, 4 of 5 with Cooperlake's and Prescott's); the
         * seeds suite asks 4 of 5 */
        double acc = probe(m, tok, "memory/probe.jsonl");
        CLAIM(acc < 0.75, "%s: the LSTM learned the task (%.3f), the lesson says it mostly got stuck (4 of 5 seeds at least)", which, acc);
    }
    if (strcmp(which, "shipped") == 0) {
        CLAIM(pick[0] == 15, "%s: the first pick is unit %d, the lesson says 15", which, pick[0]);
        CLAIM(most_keepers <= 1, "%s: %d units with f > 0.9 and i < 0.1 at one step, the lesson says at most 1", which, most_keepers);
        CLAIM(fabsf(c_max - 17.5f) < 0.05f, "%s: largest |c| %.2f, the lesson says 17.5", which, (double)c_max);
        /* "The forget gate is not a lock": unit 18 at "and" (step 13),
         * f = 0.96, i = 0.99, c = 0.96 x 6.97 + 0.99 x 0.92 = 7.60 */
        const int t = 12, j = 18;
        const float *g = run1->gates + (size_t)t * 4 * H;
        float f = g[H + j], in = g[j], cand = g[2 * H + j], cprev = run1->c[(size_t)t * H + j], c = run1->c[(size_t)(t + 1) * H + j];
        fprintf(stderr, "02-memory.md lstm (%s): unit 18 at 'and': f %.4f i %.4f g %.4f c_prev %.4f c %.4f\n", which, (double)f,
                (double)in, (double)cand, (double)cprev, (double)c);
        CLAIM(fabsf(f - 0.96f) < 0.005f && fabsf(in - 0.99f) < 0.005f && fabsf(cand - 0.92f) < 0.005f &&
                  fabsf(cprev - 6.97f) < 0.005f && fabsf(c - 7.60f) < 0.005f,
              "%s unit 18 at 'and': f %.3f i %.3f g %.3f c_prev %.3f c %.3f", which, (double)f, (double)in, (double)cand,
              (double)cprev, (double)c);
        const char *w13 = l->sentence; /* step 13 reads "and" */
        for (int k = 0; k < t; k++) w13 = strchr(w13, ' ') + 1;
        ck_assert(!strncmp(w13, "and ", 4));
    }
    trace_free(&tr);
    lesson2_steps(l, models, tok, which);
}

/* ---- lesson 9: writing lyrics (words and characters) ---------------- */

/* n tokens generated after text by model m at temperature, sampling seed
 * rng_seed, as the window and `unroll generate` choose them: the model reads
 * the last seq_len tokens (padded in front); padding and the OOV token are
 * never chosen. The tokens go to out; returns how many the seed text has. */
static int l9_generate(const Model *m, const Tokenizer *tok, const char *text, int n, float temperature,
                       uint64_t rng_seed, int *out)
{
    const int L = m->seq_len, C = m->layers[m->n_layers - 1].out_dim;
    ck_assert_int_gt(L, 0);
    TextEncoding e;
    text_encoding_init(&e);
    tokenizer_encode(&e, tok, text);
    int ns = e.n_tokens, total = ns + n;
    int *all = xmalloc((size_t)total * sizeof *all), *row = xmalloc((size_t)L * sizeof *row);
    memcpy(all, e.tokens, (size_t)ns * sizeof *all);
    text_encoding_free(&e);
    unsigned char *banned = xcalloc((size_t)C, 1);
    for (int j = 0; j < C; j++) banned[j] = j == 0 || j == tokenizer_oov_index(tok) || !tokenizer_index_word(tok, j);
    Rng rng;
    rng_init(&rng, rng_seed);
    Trace tr;
    trace_init(&tr, m, 1, L, false);
    for (int k = ns; k < total; k++) {
        base_fit_front(row, L, all, k);
        model_forward(&tr, row, NULL);
        all[k] = sample_next(tr.layers[m->n_layers - 1].out, C, temperature, 0, banned, &rng);
        ck_assert_int_gt(all[k], 0);
        out[k - ns] = all[k];
    }
    trace_free(&tr);
    free(banned);
    free(row);
    free(all);
    return ns;
}

/* Greedy generation from text, 120 tokens: where the loop it cannot leave
 * starts (the first generated token of the cycle, counting from 1) and how
 * many tokens go round. The model reads only the last L tokens, so once L
 * tokens come back the text repeats them forever: the loop is found when a
 * window of L tokens recurs, then traced back to its first token. */
static void l9_greedy_loop(const Model *m, const Tokenizer *tok, const char *text, int *start, int *period, int *gen)
{
    enum { N = 120 };
    const int L = m->seq_len;
    TextEncoding e;
    text_encoding_init(&e);
    tokenizer_encode(&e, tok, text);
    int ns = e.n_tokens;
    int *all = xcalloc((size_t)(L + ns + N), sizeof *all); /* L zeros in front: the padding the model reads */
    memcpy(all + L, e.tokens, (size_t)ns * sizeof *all);
    text_encoding_free(&e);
    l9_generate(m, tok, text, N, 0.0f, 1, all + L + ns);
    if (gen) memcpy(gen, all + L + ns, N * sizeof *gen);
    *start = *period = -1;
    /* the window of L tokens the model reads before choosing token i is all[i - L .. i - 1] (i past the padding) */
    for (int i = L + ns + 1; i <= L + ns + N && *period < 0; i++)
        for (int p = 1; i - p >= L + ns; p++)
            if (memcmp(all + i - L, all + i - p - L, (size_t)L * sizeof *all) == 0) {
                int s = i - p; /* from s on, all[k] == all[k + p] */
                while (s - 1 >= L + ns && all[s - 1] == all[s - 1 + p]) s--;
                *start = s - (L + ns) + 1;
                *period = p;
                break;
            }
    free(all);
}

/* the step whose temperature directive is t (the first one) */
static const LessonStep *l9_step_at(const Lesson *l, float t)
{
    for (int k = 0; k < l->n_steps; k++)
        if (fabsf(l->steps[k].dir.temperature - t) < 1e-6f) return &l->steps[k];
    ck_abort_msg("%s has no step with 'temperature: %g'", l->path, (double)t);
    return NULL;
}

/* The window shows what these checks measure: at the step with
 * temperature t the generate view's words (sampling seed 1) are
 * l9_generate's. */
static void l9_window_agrees(const Lesson *l, const Model *m, const Tokenizer *tok, float t)
{
    Err err = {{0}};
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, l->path, &err), "%s", err.msg);
    const LessonStep *st = l9_step_at(l, t);
    app_goto_lesson_step(a, (int)(st - l->steps));
    ck_assert_int_eq(a->view, VIEW_GENERATE);
    ck_assert(fabsf(a->temperature - t) < 1e-6f);
    ck_assert_int_eq(a->gen.n, 0);
    int want[24];
    l9_generate(m, tok, a->doc->input, 24, t, 1, want);
    for (int i = 0; i < 24; i++) {
        ck_assert_msg(doc_generate_next(a->doc, a->model, &a->gen, a->temperature, &err), "%s", err.msg);
        ck_assert_msg(a->gen.words[i].token == want[i], "%s at temperature %g: the window's token %d is %d, the check's %d",
                      l->path, (double)t, i + 1, a->gen.words[i].token, want[i]);
    }
    app_headless_destroy(a);
}

/* the song's lines, each split into its words */
static int l9_song_lines(const Lesson *l, char lines[64][16][32], int *n_words)
{
    FILE *f = fopen(l->corpus, "r");
    ck_assert_msg(f, "cannot read %s", l->corpus);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        ck_assert_int_lt(n, 64);
        n_words[n] = 0;
        for (char *w = strtok(line, " \n"); w; w = strtok(NULL, " \n")) {
            ck_assert_int_lt(n_words[n], 16);
            snprintf(lines[n][n_words[n]++], 32, "%s", w);
        }
        n++;
    }
    fclose(f);
    return n;
}

/* the share of side-by-side pairs of words written (the seed's last word
 * and the first generated one included) that stand side by side in a line
 * of the song, over sampling seeds 1..10 of 40 words each */
static double l9_song_pairs(const Lesson *l, const Model *m, const Tokenizer *tok, float t)
{
    static char lines[64][16][32];
    int nw[64];
    int n_lines = l9_song_lines(l, lines, nw);
    int in_song = 0, pairs = 0;
    for (uint64_t s = 1; s <= 10; s++) {
        int w[41];
        TextEncoding e;
        text_encoding_init(&e);
        tokenizer_encode(&e, tok, l->sentence);
        w[0] = e.tokens[e.n_tokens - 1];
        text_encoding_free(&e);
        l9_generate(m, tok, l->sentence, 40, t, s, w + 1);
        for (int i = 0; i < 40; i++) {
            const char *x = tokenizer_index_word(tok, w[i]), *y = tokenizer_index_word(tok, w[i + 1]);
            bool found = false;
            for (int k = 0; k < n_lines && !found; k++)
                for (int j = 0; j + 1 < nw[k] && !found; j++) found = !strcmp(lines[k][j], x) && !strcmp(lines[k][j + 1], y);
            in_song += found;
            pairs++;
        }
    }
    return (double)in_song / pairs;
}

/* lesson 9, words: the model reads the last 4 words; greedy from the
 * lesson's sentence the text falls into a loop within 50 words (the
 * shipped model: "takes them down the come river" from the first word on);
 * over ten sampling seeds, fewer side-by-side pairs are the song's at 1.5
 * than at 0.5; the window shows the same words */
static void lesson9_words(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    const Model *m = &models[0];
    ck_assert_int_eq(m->seq_len, 4); /* "it reads only the last 4 words" */
    ck_assert_int_eq(tok->max_index, 69); /* "the 69 words" */
    {   /* "four verses, and a chorus sung four times, 32 lines in all": 16
         * lines of verse, the chorus's 4 lines 4 times over */
        static char lines[64][16][32];
        int nw[64], chorus = 0;
        int n = l9_song_lines(l, lines, nw);
        ck_assert_int_eq(n, 32);
        for (int k = 0; k < n; k++) {
            char joined[512] = "";
            for (int j = 0; j < nw[k]; j++) {
                strcat(joined, j ? " " : "");
                strcat(joined, lines[k][j]);
            }
            chorus += !strcmp(joined, "go on go on my paper boat") || !strcmp(joined, "the river knows the way") ||
                      !strcmp(joined, "and come back home some day");
        }
        ck_assert_int_eq(chorus, 16);
    }
    int start, period, gen[120];
    l9_greedy_loop(m, tok, l->sentence, &start, &period, gen);
    char text[512] = "";
    for (int i = 0; i < 12; i++) {
        strcat(text, " ");
        strcat(text, tokenizer_index_word(tok, gen[i]));
    }
    fprintf(stderr, "09-lyrics-words.md (%s): greedy:%s ...; loop from word %d, %d words round\n", which, text, start, period);
    CLAIM(start >= 1 && start <= 50, "%s: greedy generation enters its loop at word %d, the lesson says within 50", which, start);
    double pairs[3];
    const float temps[3] = {0.5f, 1.0f, 1.5f};
    for (int k = 0; k < 3; k++) pairs[k] = l9_song_pairs(l, m, tok, temps[k]);
    fprintf(stderr, "09-lyrics-words.md (%s): pairs side by side in the song: %.3f at 0.5, %.3f at 1.0, %.3f at 1.5\n", which,
            pairs[0], pairs[1], pairs[2]);
    CLAIM(pairs[2] < pairs[0], "%s: %.2f of the pairs at 1.5 are the song's, %.2f at 0.5: the lesson says fewer at 1.5", which,
          pairs[2], pairs[0]);
    if (strcmp(which, "shipped") == 0) {
        CLAIM(strcmp(text, " takes them down the come river takes them down the come river") == 0, "shipped: greedy gives%s", text);
        CLAIM(start == 1 && period == 6, "shipped: the loop starts at word %d, %d round; the lesson says 1 and 6", start, period);
        CLAIM(lround(pairs[0] * 100) == 39 && lround(pairs[1] * 100) == 41 && lround(pairs[2] * 100) == 33,
              "shipped: %.3f, %.3f, %.3f of the pairs are the song's; the lesson says 39%%, 41%%, 33%%", pairs[0], pairs[1], pairs[2]);
        l9_window_agrees(l, m, tok, 0.0f);
        l9_window_agrees(l, m, tok, 1.0f);
    }
}

static bool l9_in_song(char **song, int n, const char *w)
{
    for (int i = 0; i < n; i++)
        if (strcmp(song[i], w) == 0) return true;
    return false;
}

/* the song's different words */
static int l9_song_words(const Lesson *l, char ***out)
{
    FILE *f = fopen(l->corpus, "r");
    ck_assert_msg(f, "cannot read %s", l->corpus);
    char w[128];
    int n = 0;
    char **v = xmalloc(1024 * sizeof *v);
    while (fscanf(f, "%127s", w) == 1)
        if (!l9_in_song(v, n, w)) {
            ck_assert_int_lt(n, 1024);
            v[n++] = xstrdup(w);
        }
    fclose(f);
    *out = v;
    return n;
}

/* the share of the generated characters' whole words (the first and last,
 * maybe cut, left out) that are words of the song, over sampling seeds 1..10
 * of 64 characters each, as the window writes them */
static double l9_real_words(const Model *m, const Tokenizer *tok, const char *text, float t, char **song, int n_song,
                            int *words_out)
{
    int real = 0, words = 0;
    for (uint64_t s = 1; s <= 10; s++) {
        int g[DOC_GEN_MAX];
        l9_generate(m, tok, text, DOC_GEN_MAX, t, s, g);
        char buf[DOC_GEN_MAX * 8 + 2] = "";
        for (int i = 0; i < DOC_GEN_MAX; i++) strcat(buf, tokenizer_index_word(tok, g[i]));
        size_t n = strlen(buf);
        char *p = buf;
        if (buf[0] != ' ') p = strchr(buf, ' '); /* the first word goes on from the seed's */
        if (n && buf[n - 1] != ' ') {
            char *q = strrchr(buf, ' '); /* the last is cut off */
            if (q) *q = '\0';
        }
        for (char *w = p ? strtok(p, " ") : NULL; w; w = strtok(NULL, " ")) {
            words++;
            real += l9_in_song(song, n_song, w);
        }
    }
    *words_out = words;
    return words ? (double)real / words : 0;
}

/* lesson 9, characters: greedy, and sampled at 0.5, 1.0 and 1.5 (ten
 * sampling seeds of 64 characters): at 1.0 half to nine tenths of the words
 * it writes are words of the song, and at 1.5 fewer than at 0.5 and 1.0
 * (the quiz); the shipped model's greedy text and shares; the window shows
 * the same characters */
static void lesson9_characters(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    const Model *m = &models[0];
    ck_assert(l->char_level);
    ck_assert_int_eq(m->seq_len, 16); /* "the last 16 characters" */
    ck_assert_int_eq(tok->max_index, 23); /* "23 symbols" */
    char **song = NULL;
    int n_song = l9_song_words(l, &song);
    int g[DOC_GEN_MAX];
    l9_generate(m, tok, l->sentence, DOC_GEN_MAX, 0.0f, 1, g);
    char greedy[DOC_GEN_MAX * 8 + 2] = "";
    for (int i = 0; i < DOC_GEN_MAX; i++) strcat(greedy, tokenizer_index_word(tok, g[i]));
    double share[3];
    int words[3];
    const float temps[3] = {0.5f, 1.0f, 1.5f};
    for (int k = 0; k < 3; k++) share[k] = l9_real_words(m, tok, l->sentence, temps[k], song, n_song, &words[k]);
    fprintf(stderr, "09-lyrics-characters.md (%s): greedy \"%s\"; words of the song: %.3f of %d at 0.5, %.3f of %d at 1.0, %.3f of %d at 1.5\n",
            which, greedy, share[0], words[0], share[1], words[1], share[2], words[2]);
    CLAIM(share[1] >= 0.5 && share[1] <= 0.9, "%s: %.2f of the words at 1.0 are the song's, the lesson says half to nine tenths", which,
          share[1]);
    CLAIM(share[2] < share[0] && share[2] < share[1], "%s: the song's words at 0.5, 1.0, 1.5: %.2f %.2f %.2f; the quiz says fewest at 1.5",
          which, share[0], share[1], share[2]);
    if (strcmp(which, "shipped") == 0) {
        CLAIM(strncmp(greedy, " takes them down upon the seats river knows the waye went", 57) == 0, "shipped: greedy \"%s\"", greedy);
        /* "words the song does not have, "seats" and "waye", close to ones it has ("sea", "way")" */
        ck_assert(!l9_in_song(song, n_song, "seats") && !l9_in_song(song, n_song, "waye"));
        ck_assert(l9_in_song(song, n_song, "sea") && l9_in_song(song, n_song, "way"));
        CLAIM(lround(share[0] * 100) == 79 && lround(share[1] * 100) == 72 && lround(share[2] * 100) == 59,
              "shipped: %.3f %.3f %.3f of the words are the song's; the lesson says 79%%, 72%%, 59%%", share[0], share[1], share[2]);
        l9_window_agrees(l, m, tok, 0.0f);
        l9_window_agrees(l, m, tok, 1.0f);
    }
    for (int i = 0; i < n_song; i++) free(song[i]);
    free(song);
}

/* ---- lesson 7 (tensors): text to tensors ---- */

static int read_texts(const char *path, char ***out);
static void free_texts(char **v, int n);

/* a step of lesson 7 by its title */
static const LessonStep *step_titled(const Lesson *l, const char *title)
{
    for (int k = 0; k < l->n_steps; k++)
        if (!strcmp(l->steps[k].title, title)) return &l->steps[k];
    ck_abort_msg("%s: no step '%s'", l->path, title);
    return NULL;
}

static void says(const LessonStep *st, const char *what)
{
    ck_assert_msg(strstr(st->text, what), "step '%s' no longer says '%s': %s", st->title, what, st->text);
}

/* p(positive) of a model on text, padded and cut as given */
static float p_sides(const Model *m, const Tokenizer *tok, const char *text, TextSide pad, TextSide cut)
{
    Prompt p;
    Err err = {{0}};
    ck_assert_msg(prompt_encode_sides(&p, tok, text, m->seq_len, pad, cut, &err), "%s", err.msg);
    Trace tr;
    trace_init(&tr, m, 1, p.n, false);
    model_forward(&tr, p.tokens, NULL);
    float y = tr.layers[m->n_layers - 1].out[0];
    trace_free(&tr);
    prompt_free(&p);
    return y;
}

/* lesson 7's LSTM trained from the lesson's seed with padding pad: its
 * held-out accuracy after one epoch (and how many probes it then calls
 * positive) and after all of them */
static void lesson7_train_padded(const Lesson *l, TextSide pad, double *acc1, int *positive1, int *n_probe, double *acc_end)
{
    Lesson o = *l; /* read only: the same lesson, padded otherwise */
    o.padding = pad;
    LessonData ld;
    Err err = {{0}};
    ck_assert_msg(lesson_data_load(&ld, &o, &err), "%s", err.msg);
    /* the rows are padded as asked: the first row's zeros at its end (post) or its start (pre) */
    const int T = ld.rows.view.T;
    ck_assert_int_eq(T, 20);
    const int *row = ld.rows.view.tokens;
    ck_assert(pad == TEXT_POST ? (row[0] != 0 && row[T - 1] == 0) : (row[0] == 0 && row[T - 1] != 0));
    Model m;
    ck_assert_msg(lesson_model_new(&m, &o, &ld, 0, &err), "%s", err.msg);
    TrainConfig cfg = lesson_train_config(&o);
    Trainer tr;
    ck_assert_msg(trainer_init(&tr, &m, &cfg, T, &err), "%s", err.msg);
    EpochStats es;
    char path[4096];
    snprintf(path, sizeof path, "%s/tensors/probe.jsonl", l->dir);
    char **texts = NULL;
    int n = read_texts(path, &texts);
    for (int e = 0; e < cfg.epochs; e++) {
        ck_assert_msg(trainer_epoch(&tr, &ld.rows.view, NULL, &es, NULL, NULL, &err), "%s", err.msg);
        int rows = 0;
        double acc = 0, loss = 0;
        ck_assert_msg(evaluate_rows_sides(&m, &ld.tok, path, pad, TEXT_PRE, &rows, &acc, &loss, &err), "%s", err.msg);
        ck_assert_int_eq(rows, n);
        if (e == 0) {
            *acc1 = acc;
            *positive1 = 0;
            for (int i = 0; i < n; i++) *positive1 += p_sides(&m, &ld.tok, texts[i], pad, TEXT_PRE) > 0.5f;
        }
        *acc_end = acc;
    }
    *n_probe = n;
    free_texts(texts, n);
    trainer_free(&tr);
    model_free(&m);
    lesson_data_free(&ld);
}

/* lesson 7: what each step says about the sentence's stages (the
 * tokenizer's, so the same for every model), the shapes, the quiz; the
 * pre- and post-padded LSTMs after one epoch and at the end */
static void lesson7_claims(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    const Model *m = &models[0];
    Err err = {{0}};
    /* the introduction: the model and the data */
    ck_assert(strstr(l->intro, "Embedding, LSTM(16), Dense(1, sigmoid), trained on 1,500 short verdicts"));
    ck_assert_int_eq(m->n_layers, 3);
    ck_assert_int_eq(m->layers[1].kind, LAYER_RNN);
    ck_assert_int_eq(m->layers[1].out_dim, 16);
    ck_assert_int_eq(m->layers[2].out_dim, 1);
    ck_assert_int_eq(m->layers[2].activation, ACT_SIGMOID);
    {
        char **rows = NULL;
        int n_rows = read_texts(l->data, &rows);
        ck_assert_int_eq(n_rows, 1500);
        free_texts(rows, n_rows);
    }
    /* Standardize */
    const LessonStep *st = step_titled(l, "Standardize");
    says(st, "becomes \"the tea was lovely again\", with a space where the comma and the \"!\" were");
    char *std = tokenizer_standardize(tok, st->dir.sentence);
    ck_assert_str_eq(std, "the tea was lovely  again ");
    free(std);
    /* Split and word_index */
    st = step_titled(l, "Split and word_index");
    says(st, "5 tokens, shape (1, 5)");
    says(st, "\"the\" is the commonest, id 2, and \"was\" next, id 3. Id 1 is kept for the OOV token");
    ck_assert_int_eq(tokenizer_word_index(tok, "<OOV>"), 1);
    ck_assert_int_eq(tokenizer_word_index(tok, "the"), 2);
    ck_assert_int_eq(tokenizer_word_index(tok, "was"), 3);
    PromptStages ps;
    ck_assert_msg(prompt_stages_build(&ps, tok, st->dir.sentence, m->seq_len, l->padding, l->truncating, &err), "%s", err.msg);
    ck_assert_int_eq(ps.words.n, 5);
    ck_assert_int_eq(ps.n_seq, 5);
    prompt_stages_free(&ps);
    /* An unknown word */
    st = step_titled(l, "An unknown word");
    says(st, "\"pancake\" never occurs in the training data");
    says(st, "it becomes id 1");
    ck_assert_int_eq(tokenizer_word_index(tok, "pancake"), 0);
    ck_assert_msg(prompt_stages_build(&ps, tok, st->dir.sentence, m->seq_len, l->padding, l->truncating, &err), "%s", err.msg);
    ck_assert_str_eq(ps.words.words[1], "pancake");
    ck_assert_int_eq(ps.fate[1], PROMPT_WORD_UNKNOWN);
    ck_assert_int_eq(ps.token[1], 1);
    prompt_stages_free(&ps);
    /* Words cut by num_words */
    st = step_titled(l, "Words cut by num_words");
    says(st, "its id is 59");
    says(st, "marked \"59 ≥ 53\" in red");
    says(st, "num_words = 53");
    ck_assert_int_eq(l->num_words, 53);
    ck_assert_int_eq(tok->num_words, 53);
    ck_assert_int_eq(tokenizer_word_index(tok, "quiche"), 59);
    ck_assert_msg(prompt_stages_build(&ps, tok, st->dir.sentence, m->seq_len, l->padding, l->truncating, &err), "%s", err.msg);
    ck_assert_str_eq(ps.words.words[2], "quiche");
    ck_assert_int_eq(ps.fate[2], PROMPT_WORD_CUT);
    ck_assert_int_eq(ps.token[2], 1);
    prompt_stages_free(&ps);
    /* Padding: "these 5 ids become 15 zeros and then the 5 ids, shape (1, 20)" */
    st = step_titled(l, "Padding");
    says(st, "20 here");
    says(st, "these 5 ids become 15 zeros and then the 5 ids, shape (1, 20)");
    ck_assert_int_eq(m->seq_len, 20);
    ck_assert_int_eq(l->padding, TEXT_PRE);
    ck_assert_msg(prompt_stages_build(&ps, tok, st->dir.sentence, m->seq_len, l->padding, l->truncating, &err), "%s", err.msg);
    static const int padded[20] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 52, 3, 17, 34};
    ck_assert_int_eq(ps.padded.n, 20);
    for (int t = 0; t < 20; t++) ck_assert_int_eq(ps.padded.tokens[t], padded[t]);
    prompt_stages_free(&ps);
    /* Truncating: the last 20 ids kept (ending with "awful"), the first 20 would lose it */
    st = step_titled(l, "Truncating");
    says(st, "truncating=\"post\" would keep the first 20 and lose \"awful\"");
    ck_assert_msg(prompt_stages_build(&ps, tok, st->dir.sentence, m->seq_len, TEXT_PRE, TEXT_PRE, &err), "%s", err.msg);
    ck_assert_int_gt(ps.n_seq, 20);
    int awful = tokenizer_word_index(tok, "awful");
    ck_assert_int_eq(ps.padded.tokens[19], awful);
    prompt_stages_free(&ps);
    ck_assert_msg(prompt_stages_build(&ps, tok, st->dir.sentence, m->seq_len, TEXT_PRE, TEXT_POST, &err), "%s", err.msg);
    for (int t = 0; t < 20; t++) ck_assert_int_ne(ps.padded.tokens[t], awful);
    prompt_stages_free(&ps);
    /* The embedding: 65 rows of 8, (1, 20) -> (1, 20, 8); the quiz */
    st = step_titled(l, "The embedding");
    says(st, "a table of 65 rows");
    says(st, "of 8 numbers");
    says(st, "The (1, 20) ids become a (1, 20, 8) tensor");
    ck_assert_int_eq(m->layers[0].kind, LAYER_EMBEDDING);
    ck_assert_int_eq(m->layers[0].vocab, 65);
    ck_assert_int_eq(tok->max_index + 1, 65);
    ck_assert_int_eq(m->layers[0].out_dim, 8);
    char shape[32];
    snprintf(shape, sizeof shape, "(1, %d, %d)", m->seq_len, m->layers[0].out_dim);
    ck_assert_str_eq(st->dir.answer, shape);
    /* Pre or post: after one epoch the post-padded LSTM gives every probe
     * the same answer (53%: the negatives' share); the pre-padded one 66%
     * (60% to 84% over six seeds); both 100% after 10 epochs */
    st = step_titled(l, "Pre or post");
    says(st, "gives all 300 held-out sentences the same answer, right for 53% of them");
    says(st, "is right for 66%");
    says(st, "Both reach 100% by the end of the 10 epochs");
    says(st, "pre-padded 60% to 84%, post-padded 53% every time");
    ck_assert_int_eq(st->dir.epoch, 1);
    if (!strcmp(which, "shipped")) {
        /* the window shows the shipped model's epoch 1: its history */
        char *dir = lesson_model_dir(l, 0);
        Model e1;
        ck_assert_msg(model_load(&e1, dir, &err), "%s", err.msg);
        History h;
        bool absent = false;
        ck_assert_msg(history_load_beside(&h, dir, e1.n_params, &absent, &err), "%s", err.msg);
        ck_assert_int_eq(h.n, l->epochs + 1);
        history_apply(&h, 1, &e1);
        int n = 0;
        double acc = probe_n(&e1, tok, "tensors/probe.jsonl", &n);
        fprintf(stderr, "07-tensors.md (shipped): %.3f on the probes after epoch 1\n", acc);
        CLAIM(fabs(acc - 0.66) <= 0.015, "shipped, epoch 1: %.3f, the lesson says 66%%", acc);
        history_free(&h);
        model_free(&e1);
        free(dir);
        return;
    }
    double pre1 = 0, post1 = 0, pre_end = 0, post_end = 0;
    int pos_pre = 0, pos_post = 0, n = 0;
    lesson7_train_padded(l, TEXT_PRE, &pre1, &pos_pre, &n, &pre_end);
    lesson7_train_padded(l, TEXT_POST, &post1, &pos_post, &n, &post_end);
    fprintf(stderr, "07-tensors.md (%s): after epoch 1 pre %.3f post %.3f (%d of %d called positive); at the end pre %.3f post %.3f\n",
            which, pre1, post1, pos_post, n, pre_end, post_end);
    ck_assert_int_eq(n, 300);
    CLAIM(pos_post == 0 || pos_post == n, "%s: after one epoch the post-padded LSTM calls %d of %d positive, not all the same", which,
          pos_post, n);
    CLAIM(fabs(post1 - 0.53) <= 0.005, "%s: post-padded after one epoch %.3f, the lesson says 53%%", which, post1);
    if (!strcmp(which, "retrained")) CLAIM(fabs(pre1 - 0.66) <= 0.015, "%s: pre-padded after one epoch %.3f, the lesson says 66%%", which, pre1);
    CLAIM(pre1 >= 0.595 && pre1 <= 0.845, "%s: pre-padded after one epoch %.3f, the lesson says 60%% to 84%%", which, pre1);
    CLAIM(pre_end >= 0.995 && post_end >= 0.995, "%s: after 10 epochs pre %.3f post %.3f, the lesson says both 100%%", which,
          pre_end, post_end);
}

/* ---- lesson 8 (helper lesson8): convolution vs GRU vs LSTM ---- */
static int read_texts(const char *path, char ***out);
static void free_texts(char **v, int n);

/* "Too far apart": where a clause lies between the weathers the
 * convolution is right between 60% and 80% of the time (measured on the
 * seeds 8, 1008 ... 5008: 63% to 77%) */
#define LESSON8_FAR_MIN 0.60
#define LESSON8_FAR_MAX 0.80

/* The held-out rows of lesson 8 (weather/held.jsonl: {"text": ..., "label": 0|1}) */
typedef struct {
    char **text;
    int *label;
    int n;
} Lesson8Rows;

static void lesson8_rows_load(Lesson8Rows *r)
{
    char path[4096], line[8192];
    snprintf(path, sizeof path, "%s/../lessons/weather/held.jsonl", tu_path(""));
    FILE *f = fopen(path, "r");
    ck_assert_msg(f, "cannot read %s", path);
    int cap = 512;
    r->text = xmalloc((size_t)cap * sizeof *r->text);
    r->label = xmalloc((size_t)cap * sizeof *r->label);
    r->n = 0;
    while (fgets(line, sizeof line, f)) {
        char *t = strstr(line, "\"text\": \"");
        char *lb = strstr(line, "\"label\": ");
        ck_assert(t && lb);
        t += 9;
        char *q = strchr(t, '"');
        ck_assert(q);
        *q = '\0';
        if (r->n == cap) {
            cap *= 2;
            r->text = xrealloc(r->text, (size_t)cap * sizeof *r->text);
            r->label = xrealloc(r->label, (size_t)cap * sizeof *r->label);
        }
        r->text[r->n] = xstrdup(t);
        r->label[r->n] = atoi(lb + 9);
        ck_assert(r->label[r->n] == 0 || r->label[r->n] == 1);
        r->n++;
    }
    fclose(f);
}

static void lesson8_rows_free(Lesson8Rows *r)
{
    for (int i = 0; i < r->n; i++) free(r->text[i]);
    free(r->text);
    free(r->label);
}

/* the two weathers next to each other: one five-word window holds both */
static bool lesson8_near(const char *text)
{
    return strstr(text, "it rained and the sun came out") || strstr(text, "the sun came out and it rained");
}

/* the model's probability of sun (label 1) after text */
static float lesson8_sun(const Model *m, const Tokenizer *tok, const char *text)
{
    Trace tr;
    float p = run(m, tok, text, &tr)[0];
    trace_free(&tr);
    return p;
}

/* the same walk with the two weathers swapped */
static char *lesson8_swapped(const char *text)
{
    const char *rain = "it rained", *sun = "the sun came out";
    const char *r = strstr(text, rain), *s = strstr(text, sun);
    ck_assert(r && s);
    size_t n = strlen(text), nr = strlen(rain), ns = strlen(sun);
    char *out = xmalloc(n + 1);
    const char *first = r < s ? r : s, *second = r < s ? s : r;
    size_t n1 = r < s ? nr : ns, n2 = r < s ? ns : nr;
    size_t o = 0;
    memcpy(out + o, text, (size_t)(first - text)), o += (size_t)(first - text);
    memcpy(out + o, second, n2), o += n2;
    memcpy(out + o, first + n1, (size_t)(second - first - (ptrdiff_t)n1)), o += (size_t)(second - first - (ptrdiff_t)n1);
    memcpy(out + o, first, n1), o += n1;
    memcpy(out + o, second + n2, n - (size_t)(second + n2 - text)), o += n - (size_t)(second + n2 - text);
    out[o] = '\0';
    ck_assert_uint_eq(o, n);
    return out;
}

static const LessonStep *lesson8_step(const Lesson *l, const char *title)
{
    for (int k = 0; k < l->n_steps; k++)
        if (!strcmp(l->steps[k].title, title)) return &l->steps[k];
    ck_abort_msg("lesson 8 has no step \"%s\"", title);
    return NULL;
}

/* lesson 8: the task as the introduction states it (both weathers once in
 * every sentence, 203 of the 500 held-out ones with the two next to each
 * other, 3,000 training rows); the convolution's windows (kernel 5, 32
 * filters, 36 places in 40); on the held-out sentences where nothing lies
 * between the weathers the convolution is right every time, where a clause
 * lies between them its accuracy is in the stated range; the swapped pair
 * gets exactly the same answer from the convolution (the same windows) and
 * the right answer from both recurrent models, which is the quiz's answer;
 * the shipped figures the text quotes */
static void lesson8_claims(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    bool shipped = !strcmp(which, "shipped");
    const int conv = 0, gru = 1, lstm = 2;
    ck_assert(!strcmp(l->labels[0], "rain") && !strcmp(l->labels[1], "sun"));
    /* the introduction: 3,000 training sentences, 500 held out, the sizes */
    ck_assert(strstr(l->intro, "the same 3,000 sentences") && strstr(l->intro, "500 other sentences"));
    char **train = NULL;
    int n_train = read_texts(l->data, &train);
    ck_assert_int_eq(n_train, 3000);
    for (int i = 0; i < n_train; i++) {
        /* both weathers, once each */
        const char *r = strstr(train[i], "it rained"), *s = strstr(train[i], "the sun came out");
        ck_assert_msg(r && s && !strstr(r + 1, "it rained") && !strstr(s + 1, "the sun came out"), "%s", train[i]);
    }
    free_texts(train, n_train);
    /* "Five words at a time": Conv1D(32, 5), valid: 36 places in 40 positions */
    const Layer *cl = &models[conv].layers[1];
    ck_assert(cl->kind == LAYER_CONV1D && cl->kernel_size == 5 && cl->out_dim == 32);
    ck_assert_int_eq(conv_out_steps(40, cl->kernel_size, cl->strides, cl->dilation, cl->padding), 36);
    ck_assert(strstr(lesson8_step(l, "Five words at a time")->text, "36 places in the 40 positions"));
    /* the held-out sentences, near and far */
    Lesson8Rows rows;
    lesson8_rows_load(&rows);
    ck_assert_int_eq(rows.n, 500);
    int n_near = 0, right_near[3] = {0}, right_far[3] = {0};
    for (int i = 0; i < rows.n; i++) {
        bool near = lesson8_near(rows.text[i]);
        n_near += near;
        for (int k = 0; k < 3; k++) {
            bool right = (lesson8_sun(&models[k], tok, rows.text[i]) > 0.5f) == (rows.label[i] == 1);
            (near ? right_near : right_far)[k] += right;
        }
    }
    ck_assert_int_eq(n_near, 203);
    int n_far = rows.n - n_near;
    double far_conv = right_far[conv] / (double)n_far;
    fprintf(stderr, "08-conv-gru-lstm.md (%s): near %d/%d %d/%d %d/%d, far %d/%d %d/%d %d/%d\n", which, right_near[0],
            n_near, right_near[1], n_near, right_near[2], n_near, right_far[0], n_far, right_far[1], n_far, right_far[2], n_far);
    ck_assert(strstr(lesson8_step(l, "Both in one window")->text,
                     "On the 203 held-out sentences where nothing lies between the two, the convolution is right every time, with every seed we tried"));
    CLAIM(right_near[conv] == n_near, "%s: the convolution is right on %d of the %d near sentences, the lesson says all", which,
          right_near[conv], n_near);
    CLAIM(far_conv >= LESSON8_FAR_MIN && far_conv <= LESSON8_FAR_MAX, "%s: the convolution is right on %.3f of the far sentences", which,
          far_conv);
    for (int k = gru; k <= lstm; k++)
        CLAIM(right_near[k] + right_far[k] >= (shipped ? rows.n : (int)(0.99 * rows.n)), "%s: variant %d right on %d of %d", which, k,
              right_near[k] + right_far[k], rows.n);
    lesson8_rows_free(&rows);
    /* "Too far apart": the pair gets the same answer from the convolution,
     * the right one from the GRU and the LSTM */
    const LessonStep *far = lesson8_step(l, "Too far apart"), *whole = lesson8_step(l, "Reading the whole sentence");
    ck_assert(far->dir.sentence && whole->dir.sentence && far->dir.cell == conv);
    char *swapped = lesson8_swapped(far->dir.sentence);
    ck_assert_str_eq(swapped, whole->dir.sentence);
    free(swapped);
    float pc[2] = {lesson8_sun(&models[conv], tok, far->dir.sentence), lesson8_sun(&models[conv], tok, whole->dir.sentence)};
    fprintf(stderr, "08-conv-gru-lstm.md (%s): the convolution's sun %.7f and %.7f on the pair\n", which, (double)pc[0], (double)pc[1]);
    CLAIM(fabsf(pc[0] - pc[1]) < 1e-5f, "%s: the convolution gives the pair %.7f and %.7f", which, (double)pc[0], (double)pc[1]);
    for (int k = gru; k <= lstm; k++) {
        float a = lesson8_sun(&models[k], tok, far->dir.sentence), b = lesson8_sun(&models[k], tok, whole->dir.sentence);
        /* the first ends with the sun, the second with rain */
        CLAIM(a > 0.5f && b < 0.5f, "%s: variant %d gives the pair sun %.3f and %.3f", which, k, (double)a, (double)b);
    }
    ck_assert(whole->dir.quiz && whole->dir.answer && !strcmp(whole->dir.answer, "conv"));
    /* "Both in one window": the step's sentence, sun last, the convolution says sun */
    const LessonStep *near_step = lesson8_step(l, "Both in one window");
    ck_assert(near_step->dir.sentence && lesson8_near(near_step->dir.sentence));
    CLAIM(lesson8_sun(&models[conv], tok, near_step->dir.sentence) > 0.5f, "%s: the convolution misses the near step", which);
    /* "The weather at the end": the Bidirectional GRU answers sun */
    const LessonStep *first = lesson8_step(l, "The weather at the end");
    ck_assert(strstr(first->text, "the Bidirectional GRU answers sun") && first->dir.cell == gru && first->dir.sentence);
    CLAIM(lesson8_sun(&models[gru], tok, first->dir.sentence) > 0.5f, "%s: the GRU does not answer sun on the first step", which);
    if (!shipped) return;
    /* the quiz's explanation quotes the shipped answers */
    ck_assert(whole->dir.explain && strstr(whole->dir.explain, pc[0] > 0.5f ? "the convolution says sun to both" : "the convolution says rain to both"));
    /* "Comparing the three", from the shipped histories: after one epoch
     * the recurrent models right on every held-out sentence, and at every
     * epoch after; the convolution 68% after the first epoch, 78% after the
     * tenth */
    const LessonStep *cmp = lesson8_step(l, "Comparing the three");
    ck_assert(strstr(cmp->text, "After one epoch both recurrent models were right on every held-out sentence, and stayed so; "
                                "the convolution went from 68% after the first epoch to 78% after the tenth."));
    ck_assert(strstr(cmp->text, "Over the six seeds we tried it ended between 77% and 87%, the recurrent models at 100%."));
    ck_assert_int_eq(l->epochs, 10);
    for (int k = 0; k < 3; k++) {
        char *dir = lesson_model_dir(l, k);
        History h;
        bool absent = false;
        Err err = {{0}};
        ck_assert_msg(history_load_beside(&h, dir, models[k].n_params, &absent, &err), "%s: %s", dir, absent ? "no history.bin" : err.msg);
        Model snap;
        ck_assert_msg(model_load(&snap, dir, &err), "%s", err.msg);
        free(dir);
        ck_assert_int_eq(h.n, 11);
        for (int e = 1; e < h.n; e++) {
            history_apply(&h, e, &snap);
            int n = 0;
            double acc = probe_n(&snap, tok, "weather/held.jsonl", &n);
            ck_assert_int_eq(n, 500);
            if (k > conv) CLAIM(acc == 1.0, "shipped history: variant %d right on %.3f after epoch %d", k, acc, e);
            if (k == conv && e == 1) CLAIM(lrint(100 * acc) == 68, "shipped history: the convolution %.3f after epoch 1", acc);
            if (k == conv && e == 10) CLAIM(lrint(100 * acc) == 78, "shipped history: the convolution %.3f after epoch 10", acc);
        }
        model_free(&snap);
        history_free(&h);
    }
    /* the shipped figures the text quotes */
    char said[128];
    snprintf(said, sizeof said, "The shipped one says %s, %d%%, on both", pc[0] > 0.5f ? "sun" : "rain",
             (int)lrintf(100 * (pc[0] > 0.5f ? pc[0] : 1 - pc[0])));
    ck_assert_msg(strstr(far->text, said), "lesson 8: the text should say \"%s\"", said);
    snprintf(said, sizeof said, "(the shipped one: %d%%)", (int)lrint(100 * far_conv));
    ck_assert_msg(strstr(lesson8_step(l, "Too far apart")->text, said), "lesson 8: the text should say \"%s\"", said);
}

/* ---- lesson 10 (helper l10): dropout ------------------------------------ */


#define L10_MAX_EPOCHS 100

/* loss and accuracy on the training notes and on the validation notes,
 * after every epoch (0: the initial weights) */
typedef struct {
    int n; /* epochs + 1 */
    double tl[L10_MAX_EPOCHS + 1], ta[L10_MAX_EPOCHS + 1], vl[L10_MAX_EPOCHS + 1], va[L10_MAX_EPOCHS + 1];
} L10Curve;

static void lesson10_eval(L10Curve *c, int e, const Model *m, const Tokenizer *tok)
{
    int n = 0;
    c->ta[e] = probe_n(m, tok, "dropout/data.jsonl", &n);
    ck_assert_int_eq(n, 240);
    int nv = 0;
    double acc = 0, loss = 0;
    Err err = {{0}};
    char p[4096];
    snprintf(p, sizeof p, "%s/../lessons/dropout/data.jsonl", tu_path(""));
    ck_assert_msg(evaluate_rows(m, tok, p, &nv, &acc, &loss, &err), "%s", err.msg);
    c->tl[e] = loss;
    snprintf(p, sizeof p, "%s/../lessons/dropout/held.jsonl", tu_path(""));
    ck_assert_msg(evaluate_rows(m, tok, p, &nv, &acc, &loss, &err), "%s", err.msg);
    ck_assert_int_eq(nv, 300);
    c->va[e] = acc;
    c->vl[e] = loss;
}

/* the shipped model k's curve, from its history.bin (whose first snapshot is
 * the seeded model and whose last is the shipped one) */
static void lesson10_curve_shipped(L10Curve *c, const Lesson *l, int k, const Model *shipped, const Tokenizer *tok)
{
    char *dir = lesson_model_dir(l, k);
    History h;
    bool absent = false;
    Err err = {{0}};
    ck_assert_msg(history_load_beside(&h, dir, shipped->n_params, &absent, &err), "%s: %s", dir, absent ? "no history.bin" : err.msg);
    free(dir);
    ck_assert_int_eq(h.n, l->epochs + 1);
    ck_assert(memcmp(history_snapshot(&h, h.n - 1), shipped->params, shipped->n_params * sizeof(float)) == 0);
    Model snap;
    char *spec = lesson_spec_for(l, k);
    ck_assert_msg(spec_build(&snap, spec, tok->max_index + 1, l->seed, &err), "%s", err.msg);
    free(spec);
    ck_assert(memcmp(history_snapshot(&h, 0), snap.params, snap.n_params * sizeof(float)) == 0);
    c->n = h.n;
    for (int e = 0; e < h.n; e++) {
        history_apply(&h, e, &snap);
        lesson10_eval(c, e, &snap, tok);
    }
    model_free(&snap);
    history_free(&h);
}

/* model k retrained from the lesson's seed with its curve; the result must
 * be the model the caller trained (the same bits) */
static void lesson10_curve_retrained(L10Curve *c, const Lesson *l, int k, const Model *trained, const Tokenizer *tok)
{
    LessonData ld;
    Err err = {{0}};
    ck_assert_msg(lesson_data_load(&ld, l, &err), "%s", err.msg);
    Model m;
    ck_assert_msg(lesson_model_new(&m, l, &ld, k, &err), "%s", err.msg);
    TrainConfig cfg = lesson_train_config(l);
    Trainer tr;
    ck_assert_msg(trainer_init(&tr, &m, &cfg, ld.rows.view.T, &err), "%s", err.msg);
    c->n = cfg.epochs + 1;
    lesson10_eval(c, 0, &m, tok);
    EpochStats st;
    for (int e = 1; e <= cfg.epochs; e++) {
        ck_assert_msg(trainer_epoch(&tr, &ld.rows.view, NULL, &st, NULL, NULL, &err), "%s", err.msg);
        lesson10_eval(c, e, &m, tok);
    }
    trainer_free(&tr);
    ck_assert(memcmp(m.params, trained->params, m.n_params * sizeof(float)) == 0);
    model_free(&m);
    lesson_data_free(&ld);
}

static int lesson10_best_epoch(const L10Curve *c)
{
    int best = 0;
    for (int e = 1; e < c->n; e++) best = c->vl[e] < c->vl[best] ? e : best;
    return best;
}

/* a sentence's probability of "outdoors" through a model, at inference or
 * training (dropout on, its masks drawn from seed) */
static float lesson10_p(const Model *m, const Tokenizer *tok, const char *text, bool training, uint64_t seed)
{
    Prompt p;
    Err err = {{0}};
    ck_assert_msg(prompt_encode(&p, tok, text, m->seq_len, &err), "%s", err.msg);
    Trace tr;
    trace_init(&tr, m, 1, p.n, true);
    if (training) trace_set_training(&tr, true, seed);
    model_forward(&tr, p.tokens, NULL);
    float out = tr.layers[m->n_layers - 1].out[0];
    trace_free(&tr);
    prompt_free(&p);
    return out;
}

/* how many rows of a data file carry the label the plan does not give */
static int lesson10_mislabelled(const char *file, int *n)
{
    static const char *const OUTDOORS[] = {"fly a kite", "walk the dog", "swim in the lake", "climb the hill",
                                           "row a boat", "pick berries", "ride bikes", "watch the birds",
                                           "dig the garden", "camp in the woods", "fish off the pier", "sail on the bay"};
    char p[4096], line[1024];
    snprintf(p, sizeof p, "%s/../lessons/%s", tu_path(""), file);
    FILE *f = fopen(p, "r");
    ck_assert_msg(f, "cannot read %s", p);
    int wrong = 0;
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        bool out = false;
        for (size_t k = 0; k < sizeof OUTDOORS / sizeof OUTDOORS[0]; k++) out |= strstr(line, OUTDOORS[k]) != NULL;
        const char *lab = strstr(line, "\"label\": ");
        ck_assert(lab);
        wrong += (lab[9] == '1') != out;
        (*n)++;
    }
    fclose(f);
    return wrong;
}

/* lesson 10's claims. Models: plain, dropout, recurrent (the variants'
 * order). Shipped: the curves from history.bin, and the figures the text
 * quotes; retrained and other seeds: the curves of a retraining, and what
 * the text says of every seed. */
static void lesson10_claims(const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    const bool shipped = !strcmp(which, "shipped");
    L10Curve c[3];
    ck_assert_int_le(l->epochs, L10_MAX_EPOCHS);
    for (int k = 0; k < 3; k++) {
        if (shipped) lesson10_curve_shipped(&c[k], l, k, &models[k], tok);
        else lesson10_curve_retrained(&c[k], l, k, &models[k], tok);
    }
    const int E = l->epochs, best = lesson10_best_epoch(&c[0]);
    double gap[3];
    for (int k = 0; k < 3; k++) {
        gap[k] = c[k].ta[E] - c[k].va[E];
        fprintf(stderr, "10-dropout.md %d (%s): lowest validation loss %.3f after epoch %d (accuracy %.3f); at epoch %d training "
                "loss %.4f accuracy %.3f, validation loss %.3f accuracy %.3f\n", k, which, c[k].vl[lesson10_best_epoch(&c[k])],
                lesson10_best_epoch(&c[k]), c[k].va[lesson10_best_epoch(&c[k])], E, c[k].tl[E], c[k].ta[E], c[k].vl[E], c[k].va[E]);
    }
    /* "Learning by heart": the validation loss turns up after a few epochs
     * and ends far above its lowest; the training loss keeps falling */
    CLAIM(best >= 2 && best <= 10, "%s plain: lowest validation loss after epoch %d", which, best);
    CLAIM(c[0].vl[E] > 3.0 * c[0].vl[best], "%s plain: validation loss %.3f at the end, %.3f at its lowest", which, c[0].vl[E],
          c[0].vl[best]);
    /* (measured over six seeds: training loss 0.002 to 0.047, accuracy 98.8% to 100%) */
    CLAIM(c[0].tl[E] < 0.1 && c[0].ta[E] >= 0.98, "%s plain: training loss %.4f, accuracy %.3f at the end", which, c[0].tl[E],
          c[0].ta[E]);
    /* the ranges the text gives over the seeds we trained */
    CLAIM(c[0].vl[best] >= 0.515 && c[0].vl[best] <= 0.555 && best >= 3 && best <= 6,
          "%s plain: lowest %.3f after epoch %d, the lesson says 0.52 to 0.55 after epoch 3 to 6", which, c[0].vl[best], best);
    /* measured over six seeds on two BLAS kernels (Haswell: plain 2.03 to
     * 2.70, Dropout 1.17 to 1.34, recurrent 0.98 to 1.18; Cooperlake: plain
     * 2.02 to 2.70, Dropout 1.17 to 1.37; Prescott: plain 2.00 to 2.67) */
    CLAIM(c[0].vl[E] >= 1.9 && c[0].vl[E] <= 2.8, "%s plain: %.3f at the end, the lesson says 1.9 to 2.8", which, c[0].vl[E]);
    CLAIM(c[1].vl[E] >= 1.1 && c[1].vl[E] <= 1.4, "%s Dropout: %.3f at the end, the lesson says 1.1 to 1.4", which, c[1].vl[E]);
    CLAIM(c[2].vl[E] >= 0.9 && c[2].vl[E] <= 1.2, "%s recurrent dropout: %.3f at the end, the lesson says 0.9 to 1.2", which,
          c[2].vl[E]);
    CLAIM(c[1].vl[E] < 0.75 * c[0].vl[E] && c[2].vl[E] < 0.75 * c[0].vl[E],
          "%s: at the end %.3f and %.3f with dropout, %.3f plain: the lesson says well below", which, c[1].vl[E], c[2].vl[E], c[0].vl[E]);
    for (int k = 1; k < 3; k++) {
        int b = lesson10_best_epoch(&c[k]);
        CLAIM(c[k].vl[b] >= 0.515 && c[k].vl[b] <= 0.555, "%s model %d: lowest validation loss %.3f, the lesson says 0.52 to 0.55",
              which, k, c[k].vl[b]);
    }
    CLAIM(c[0].va[E] >= 0.635 && c[0].va[E] <= 0.735 && c[1].va[E] >= 0.665 && c[1].va[E] <= 0.725 && c[2].va[E] >= 0.665 &&
              c[2].va[E] <= 0.725,
          "%s: validation accuracy at the end %.3f %.3f %.3f, the lesson says 64%%-73%% plain, 67%%-72%% with dropout", which,
          c[0].va[E], c[1].va[E], c[2].va[E]);
    /* the quiz: the plain model ends with the highest validation loss */
    CLAIM(c[0].vl[E] > c[1].vl[E] && c[0].vl[E] > c[2].vl[E], "%s: validation loss at the end %.3f %.3f %.3f, the quiz says plain's is highest",
          which, c[0].vl[E], c[1].vl[E], c[2].vl[E]);
    /* "Only while training": at inference the same note gives the same
     * answer (bit for bit) every time; in training each pass draws new
     * masks and the answers differ */
    const char *note = NULL;
    for (int k = 0; k < l->n_steps; k++)
        if (!strcmp(l->steps[k].title, "Only while training")) note = l->steps[k].dir.sentence;
    ck_assert(note);
    for (int k = 1; k < 3; k++) {
        float p0 = lesson10_p(&models[k], tok, note, false, 0);
        float lo = 1, hi = 0;
        int distinct = 0;
        float seen[10];
        for (int r = 0; r < 10; r++) {
            ck_assert(lesson10_p(&models[k], tok, note, false, 0) == p0);
            float p = lesson10_p(&models[k], tok, note, true, (uint64_t)(r + 1));
            bool is_new = true;
            for (int q = 0; q < distinct; q++) is_new &= seen[q] != p;
            if (is_new) seen[distinct++] = p;
            lo = fminf(lo, p);
            hi = fmaxf(hi, p);
        }
        fprintf(stderr, "10-dropout.md %d (%s): \"%s\" %.4f at inference; ten training passes %d different, %.4f to %.4f\n", k, which,
                note, (double)p0, distinct, (double)lo, (double)hi);
        CLAIM(distinct >= 5, "%s model %d: only %d different answers in ten training passes", which, k, distinct);
        /* the text quotes the shipped Dropout model's: 90.7% every time; ten
         * passes in training, ten answers from 52.1% to 96.3% */
        if (shipped && k == 1)
            CLAIM(lround(p0 * 1000) == 907 && distinct == 10 && lround(lo * 1000) == 521 && lround(hi * 1000) == 963,
                  "shipped Dropout: %.4f; %d answers, %.4f to %.4f", (double)p0, distinct, (double)lo, (double)hi);
    }
    /* the introduction: 51 of 240 and 48 of 300 carry the other label; the
     * rule alone gets 252 of 300 (84%) */
    int n_train = 0, n_val = 0, w_train = lesson10_mislabelled("dropout/data.jsonl", &n_train),
        w_val = lesson10_mislabelled("dropout/held.jsonl", &n_val);
    ck_assert_msg(n_train == 240 && w_train == 51 && n_val == 300 && w_val == 48, "%d of %d, %d of %d mislabelled", w_train, n_train,
                  w_val, n_val);
    ck_assert(strstr(l->intro, "51 of the 240 training notes, and 48 of the 300 validation notes") &&
              strstr(l->intro, "252 of the 300 validation notes (84%)"));
    /* the introduction's two example notes are in neither file */
    static const char *const EXAMPLES[] = {"on sunday my aunt wants to fly a kite after lunch", "tonight the twins want to bake bread"};
    for (int f = 0; f < 2; f++) {
        char **v = NULL;
        int nv = read_texts(lesson(f ? "dropout/held.jsonl" : "dropout/data.jsonl"), &v);
        for (int i = 0; i < nv; i++)
            for (int k = 0; k < 2; k++) ck_assert_msg(strcmp(v[i], EXAMPLES[k]) != 0, "\"%s\" is a row of the data", EXAMPLES[k]);
        free_texts(v, nv);
    }
    /* the plain model ends with the widest accuracy gap */
    CLAIM(gap[0] > gap[1] && gap[0] > gap[2], "%s: accuracy gaps %.3f %.3f %.3f", which, gap[0], gap[1], gap[2]);
    if (!shipped) return;
    /* the shipped models' figures as the text quotes them */
    const char *want[][2] = {
        {"Learning by heart", "to 0.53, then turns and climbs, to 2.07 at epoch 60"},
        {"Learning by heart", "(100%) and about 73% of the validation notes, a gap of 27 points"},
        {"Sure and wrong", "right about 78% of the validation notes; at epoch 60 about 73%"},
        {"Dropout", "the validation loss ends at 1.22 instead of 2.07, and 95%"},
        {"Dropout", "95% against 70%, 25 points"},
        {"Recurrent dropout", "1.05, about half the plain model's 2.07, with 93% of the training notes right and 67%"},
        {"Other seeds", "epoch 3 to 6 and ended between 1.9 and 2.8; with Dropout it ended between 1.1 and 1.4, with recurrent dropout between 0.9 and 1.2, always well below the plain model's"},
        {"Other seeds", "was 0.52 to 0.55 for all three"},
        {"Other seeds", "64% to 73% without dropout and 67% to 72% with it"},
        {"Only while training", "says 90.7% outdoors, every time"},
        {"Only while training", "gave ten different answers, from 52.1% to 96.3%"},
        {"Sure of its mistakes", "four of the nine training notes about it are labelled indoors"},
        {"Sure of its mistakes", "indoors, 99.6% sure; with Dropout 85.4%, with recurrent dropout 57.3%"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const LessonStep *st = NULL;
        for (int k = 0; k < l->n_steps; k++)
            if (!strcmp(l->steps[k].title, want[i][0])) st = &l->steps[k];
        ck_assert(st);
        char *flat = xstrdup(st->text); /* the narration's line breaks as spaces */
        for (char *q = flat; *q; q++) *q = *q == '\n' ? ' ' : *q;
        ck_assert_msg(strstr(flat, want[i][1]), "step \"%s\" does not say \"%s\"", want[i][0], want[i][1]);
        free(flat);
    }
    /* "Sure of its mistakes": the walk-the-dog notes of the training data (4 of 9 indoors),
     * and the shipped models' answers to the step's note (indoors 99.6%,
     * 85.4%, 57.3%) */
    {
        char p[4096], line[1024];
        snprintf(p, sizeof p, "%s/../lessons/dropout/data.jsonl", tu_path(""));
        FILE *f = fopen(p, "r");
        ck_assert(f);
        int dog = 0, dog_in = 0;
        while (fgets(line, sizeof line, f)) {
            if (!strstr(line, "walk the dog")) continue;
            dog++;
            dog_in += strstr(line, "\"label\": 0") != NULL;
        }
        fclose(f);
        ck_assert_msg(dog == 9 && dog_in == 4, "walk the dog: %d notes, %d indoors", dog, dog_in);
        const LessonStep *st = &l->steps[l->n_steps - 1];
        ck_assert(!strcmp(st->title, "Sure of its mistakes") && st->dir.sentence);
        static const double indoors[3] = {0.996, 0.854, 0.573};
        for (int k = 0; k < 3; k++) {
            double pin = 1.0 - (double)lesson10_p(&models[k], tok, st->dir.sentence, false, 0);
            CLAIM(fabs(pin - indoors[k]) < 0.0005, "shipped model %d: indoors %.4f on \"%s\", the lesson says %.3f", k, pin,
                  st->dir.sentence, indoors[k]);
        }
    }
    CLAIM(best == 3 && fabs(c[0].vl[3] - 0.53) < 0.005 && fabs(c[0].vl[E] - 2.07) < 0.005 && fabs(c[0].tl[E] - 0.002) < 0.0005 &&
              c[0].ta[E] == 1.0 && lround(c[0].va[E] * 100) == 73 && lround(c[0].va[3] * 100) == 78 && lround(gap[0] * 100) == 27,
          "shipped plain: best %d (%.3f), end %.3f, training %.4f %.3f, validation %.3f (%.3f at 3)", best, c[0].vl[3], c[0].vl[E],
          c[0].tl[E], c[0].ta[E], c[0].va[E], c[0].va[3]);
    CLAIM(fabs(c[1].vl[E] - 1.22) < 0.005 && lround(c[1].ta[E] * 100) == 95 && lround(c[1].va[E] * 100) == 70 &&
              lround(gap[1] * 100) == 25,
          "shipped Dropout: %.3f, training %.3f, validation %.3f", c[1].vl[E], c[1].ta[E], c[1].va[E]);
    CLAIM(fabs(c[2].vl[E] - 1.05) < 0.005 && lround(c[2].ta[E] * 100) == 93 && lround(c[2].va[E] * 100) == 67,
          "shipped recurrent dropout: %.3f, training %.3f, validation %.3f", c[2].vl[E], c[2].ta[E], c[2].va[E]);
}

typedef void (*ClaimCheck)(const Lesson *l, Model *models, const Tokenizer *tok, const char *which);

typedef struct {
    const char *file;
    const char *probe;      /* held-out rows, or NULL */
    double min_acc[3];      /* per cell, in the lesson's order; -1: no claim */
    double max_acc[3];
    ClaimCheck check;       /* the lesson's other claims, or NULL */
    bool shipped_only[3];   /* the accuracy claim is about the shipped model only:
                               retrained, this cell learns the task in some runs
                               and not in others, and the lesson says so */
} LessonClaims;

static const LessonClaims CLAIMS[] = {
    {"01-lyrics.md", NULL, {-1, -1, -1}, {2, 2, 2}, lesson1_is_or_will, {false, false, false}},
    {"02-memory.md", "memory/probe.jsonl", {-1, 0.9, 0.9}, {0.4, 2, 2}, lesson2_counting_units, {false, false, true}},
    {"03-sentiment.md", "sentiment/probe.jsonl", {0.9, 0.9, -1}, {2, 2, 2}, lesson3_claims, {false, false, false}},
    {"04-bidirectional.md", "memory/probe.jsonl", {0.9, -1, -1}, {2, 2, 2}, lesson4_every_time, {false, false, false}},
    {"05-stacked.md", NULL, {-1, -1, -1}, {2, 2, 2}, lesson5_parameter_counts, {false, false, false}},
    {"06-gradients.md", "memory/probe.jsonl", {-1, 0.9, 0.9}, {0.4, 2, 2}, lesson6_vanishing, {false, false, true}},
    {"09-lyrics-words.md", NULL, {-1, -1, -1}, {2, 2, 2}, lesson9_words, {false, false, false}},
    {"09-lyrics-characters.md", NULL, {-1, -1, -1}, {2, 2, 2}, lesson9_characters, {false, false, false}},
    {"07-tensors.md", "tensors/probe.jsonl", {0.995, -1, -1}, {2, 2, 2}, lesson7_claims, {false, false, false}}, /* tensors */
    /* lesson 8: the convolution 75% to 90% on the held-out walks, the recurrent models at least 99% */
    {"08-conv-gru-lstm.md", "weather/held.jsonl", {0.75, 0.99, 0.99}, {0.90, 2, 2}, lesson8_claims, {false, false, false}},
    /* lesson 10 (helper l10): plain, dropout, recurrent; its claims are about curves */
    {"10-dropout.md", "dropout/held.jsonl", {-1, -1, -1}, {2, 2, 2}, lesson10_claims, {false, false, false}},
};

static void check_models(const LessonClaims *c, const Lesson *l, Model *models, const Tokenizer *tok, const char *which)
{
    for (int k = 0; c->probe && k < l->n_cells; k++) {
        double acc = probe(&models[k], tok, c->probe);
        fprintf(stderr, "%s %s (%s): %.3f on %s\n", c->file, lesson_model_name(l, k), which, acc, c->probe);
        if (c->shipped_only[k] && strcmp(which, "shipped") != 0) continue;
        CLAIM(acc >= c->min_acc[k] && acc <= c->max_acc[k], "%s %s (%s): accuracy %.3f, the lesson says [%g, %g]", c->file,
              lesson_model_name(l, k), which, acc, c->min_acc[k], c->max_acc[k]);
    }
    if (c->check) c->check(l, models, tok, which);
}

/* a lesson and its data (tokenizer, training rows) */
static void load_lesson(const char *file, Lesson *l, LessonData *ld)
{
    Err err = {{0}};
    ck_assert_msg(lesson_load(l, lesson(file), &err), "%s", err.msg);
    ck_assert_msg(lesson_data_load(ld, l, &err), "%s", err.msg);
}

/* Each lesson's claims on its shipped models and on models retrained here
 * from its seed; and the same seed trained twice gives the same bits. */
START_TEST(lesson_claims)
{
    const LessonClaims *c = &CLAIMS[_i];
    Lesson l;
    LessonData ld;
    load_lesson(c->file, &l, &ld);
    Err err = {{0}};
    Model shipped[LESSON_MAX_CELLS], fresh[LESSON_MAX_CELLS];
    for (int k = 0; k < l.n_cells; k++) {
        char *dir = lesson_model_dir(&l, k);
        ck_assert_msg(model_load(&shipped[k], dir, &err), "%s", err.msg);
        free(dir);
        retrain(&l, &ld, k, &fresh[k]);
        ck_assert_uint_eq(fresh[k].n_params, shipped[k].n_params);
        if (k == 0) { /* determinism: a second run of the same seed */
            Model again;
            retrain(&l, &ld, k, &again);
            ck_assert_msg(memcmp(again.params, fresh[k].params, fresh[k].n_params * sizeof(float)) == 0,
                          "%s %s: the same seed trained twice gave different weights", c->file,
                          lesson_cell_name(l.cells[k]));
            model_free(&again);
        }
    }
    check_models(c, &l, shipped, &ld.tok, "shipped");
    check_models(c, &l, fresh, &ld.tok, "retrained");
    for (int k = 0; k < l.n_cells; k++) {
        model_free(&shipped[k]);
        model_free(&fresh[k]);
    }
    lesson_data_free(&ld);
    lesson_unload(&l);
}
END_TEST

/* the "text" of every row of a JSONL file (rows as make_data.py writes
 * them: json.dumps of ASCII text, no escapes) */
static int read_texts(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f, "cannot read %s", path);
    char line[8192];
    int n = 0, cap = 256;
    char **v = xmalloc((size_t)cap * sizeof *v);
    while (fgets(line, sizeof line, f)) {
        char *p = strstr(line, "\"text\": \"");
        if (!p) continue;
        p += 9;
        char *q = strchr(p, '"');
        ck_assert(q);
        *q = '\0';
        if (n == cap) v = xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
        v[n++] = xstrdup(p);
    }
    fclose(f);
    *out = v;
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool in_sorted(char **v, int n, const char *s)
{
    return bsearch(&s, v, (size_t)n, sizeof *v, cmp_str) != NULL;
}

static void free_texts(char **v, int n)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Held out means held out: no probe sentence is in the lesson's training
 * data, none occurs twice in the probe set, and no sentence the lesson
 * shows (its sentence, its steps' sentences, the pairs its claims use) is
 * in the training data. */
START_TEST(held_out_sets_share_nothing_with_training)
{
    const LessonClaims *c = &CLAIMS[_i];
    Lesson l;
    Err err = {{0}};
    ck_assert_msg(lesson_load(&l, lesson(c->file), &err), "%s", err.msg);
    if (!l.data) { /* next-word lessons train on their corpus; no held-out claim */
        lesson_unload(&l);
        return;
    }
    char **train = NULL;
    int n_train = read_texts(l.data, &train);
    ck_assert_int_ge(n_train, 100);
    qsort(train, (size_t)n_train, sizeof *train, cmp_str);
    if (c->probe) {
        char **probe = NULL;
        int n_probe = read_texts(lesson(c->probe), &probe);
        ck_assert_int_ge(n_probe, 100);
        for (int i = 0; i < n_probe; i++)
            ck_assert_msg(!in_sorted(train, n_train, probe[i]), "%s: held-out sentence %d is in the training data: %s",
                          c->probe, i + 1, probe[i]);
        qsort(probe, (size_t)n_probe, sizeof *probe, cmp_str);
        for (int i = 1; i < n_probe; i++)
            ck_assert_msg(strcmp(probe[i - 1], probe[i]) != 0, "%s: \"%s\" occurs twice", c->probe, probe[i]);
        free_texts(probe, n_probe);
    }
    static const char *const PAIR[] = {"the film was not good but then bad", "the film was not bad but then good"};
    if (l.sentence) ck_assert_msg(!in_sorted(train, n_train, l.sentence), "%s: its sentence is training data", c->file);
    for (int k = 0; k < l.n_steps; k++)
        if (l.steps[k].dir.sentence)
            ck_assert_msg(!in_sorted(train, n_train, l.steps[k].dir.sentence), "%s step %d: \"%s\" is training data",
                          c->file, k + 1, l.steps[k].dir.sentence);
    for (int k = 0; k < 2; k++)
        ck_assert_msg(!in_sorted(train, n_train, PAIR[k]), "%s: \"%s\" is training data", c->file, PAIR[k]);
    free_texts(train, n_train);
    lesson_unload(&l);
}
END_TEST

/* the lines of a text (a next-word corpus or its held-out text), trimmed */
static int read_lines_of(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f, "cannot read %s", path);
    char line[8192];
    int n = 0, cap = 256;
    char **v = xmalloc((size_t)cap * sizeof *v);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0]) continue;
        if (n == cap) v = xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
        v[n++] = xstrdup(line);
    }
    fclose(f);
    *out = v;
    return n;
}

/* variants: every lesson that names a validation set holds it out: none of
 * its sentences (classify) or lines (next-word) is in the training data,
 * none occurs twice, and none of the lesson's shown sentences is training data */
START_TEST(validation_sets_share_nothing_with_training)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/../lessons", tu_path(""));
    DIR *d = opendir(dir);
    ck_assert(d);
    struct dirent *e;
    int checked = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0 || !(e->d_name[0] >= '0' && e->d_name[0] <= '9')) continue;
        Lesson l;
        Err err = {{0}};
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ck_assert_msg(lesson_load(&l, path, &err), "%s", err.msg);
        if (!l.validation) {
            lesson_unload(&l);
            continue;
        }
        bool rows = l.data != NULL;
        char **train = NULL, **val = NULL;
        int n_train = rows ? read_texts(l.data, &train) : read_lines_of(l.corpus, &train);
        int n_val = rows ? read_texts(l.validation, &val) : read_lines_of(l.validation, &val);
        ck_assert_msg(n_val >= 20, "%s: only %d validation rows", e->d_name, n_val);
        qsort(train, (size_t)n_train, sizeof *train, cmp_str);
        for (int i = 0; i < n_val; i++)
            ck_assert_msg(!in_sorted(train, n_train, val[i]), "%s: validation row %d is training data: %s", e->d_name, i + 1, val[i]);
        qsort(val, (size_t)n_val, sizeof *val, cmp_str);
        for (int i = 1; i < n_val; i++)
            ck_assert_msg(strcmp(val[i - 1], val[i]) != 0, "%s: validation row \"%s\" occurs twice", e->d_name, val[i]);
        if (rows) {
            ck_assert_msg(!in_sorted(train, n_train, l.sentence), "%s: its sentence is training data", e->d_name);
            for (int k = 0; k < l.n_steps; k++)
                if (l.steps[k].dir.sentence)
                    ck_assert_msg(!in_sorted(train, n_train, l.steps[k].dir.sentence), "%s step %d: \"%s\" is training data",
                                  e->d_name, k + 1, l.steps[k].dir.sentence);
        }
        free_texts(train, n_train);
        free_texts(val, n_val);
        lesson_unload(&l);
        checked++;
    }
    closedir(d);
    fprintf(stderr, "validation sets checked: %d lessons\n", checked);
}
END_TEST

/* Every claim a lesson makes without saying it varies holds for models
 * trained from at least 4 of 5 other seeds (suite `seeds`: a few minutes of
 * training, so the sanitizer and valgrind runs leave it out) */
#define OTHER_SEEDS 5
START_TEST(claims_hold_for_other_seeds)
{
    const LessonClaims *c = &CLAIMS[_i];
    Lesson l;
    LessonData ld;
    load_lesson(c->file, &l, &ld);
    int held = 0;
    for (int s = 1; s <= OTHER_SEEDS; s++) {
        Lesson other = l; /* the same lesson, another seed (read only) */
        other.seed = l.seed + 1000ULL * (unsigned long long)s;
        Model fresh[LESSON_MAX_CELLS];
        for (int k = 0; k < l.n_cells; k++) retrain(&other, &ld, k, &fresh[k]);
        char which[64];
        snprintf(which, sizeof which, "seed %llu", other.seed);
        counting_claims = true;
        failed_claims = 0;
        check_models(c, &other, fresh, &ld.tok, which);
        counting_claims = false;
        held += failed_claims == 0;
        for (int k = 0; k < l.n_cells; k++) model_free(&fresh[k]);
    }
    fprintf(stderr, "%s: every claim held for %d of %d other seeds\n", c->file, held, OTHER_SEEDS);
    ck_assert_msg(held >= OTHER_SEEDS - 1, "%s: the claims held for only %d of %d other seeds", c->file, held, OTHER_SEEDS);
    lesson_data_free(&ld);
    lesson_unload(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lessons");
    TCase *tc = tcase_create("lessons");
    tcase_set_timeout(tc, 3600);
    tcase_add_test(tc, every_lesson_opens_and_every_step_renders);
    tcase_add_loop_test(tc, lesson_claims, 0, (int)(sizeof CLAIMS / sizeof CLAIMS[0]));
    tcase_add_loop_test(tc, held_out_sets_share_nothing_with_training, 0, (int)(sizeof CLAIMS / sizeof CLAIMS[0]));
    tcase_add_test(tc, validation_sets_share_nothing_with_training);
    suite_add_tcase(s, tc);
    tc = tcase_create("seeds");
    tcase_set_timeout(tc, 3600);
    tcase_add_loop_test(tc, claims_hold_for_other_seeds, 0, (int)(sizeof CLAIMS / sizeof CLAIMS[0]));
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
