/* app_quiz: a lesson's judged quiz: multiple choice (a click or a number
 * key) or a typed word, compared with the lesson's answer or with the
 * shown model's own top word at the step. Judging reveals the model's bars.
 * Changes the App's quiz fields only; drawing is in app_frame.c. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "app_internal.h"

const LessonDirectives *app_quiz_step(const App *a)
{
    if (!a->has_doc || !a->doc->is_lesson || a->lesson_step < 0 || a->lesson_step >= a->doc->lesson.n_steps) return NULL;
    const LessonDirectives *d = &a->doc->lesson.steps[a->lesson_step].dir;
    return d->quiz && (d->answer || d->answer_model) ? d : NULL;
}

const char *app_quiz_answer(const App *a, char *buf, size_t cap)
{
    const LessonDirectives *d = app_quiz_step(a);
    if (!d || !cap) return NULL;
    if (d->answer) {
        snprintf(buf, cap, "%s", d->answer);
        return buf;
    }
    /* the model's own answer: its most probable word or class now */
    const DocModel *dm = &a->doc->models[a->model];
    if (!dm->preds || a->step < 0 || a->step >= a->doc->T) return NULL;
    int C = dm->binary ? 2 : dm->n_classes, best = doc_first_class(a->doc, a->model);
    const float *p = dm->preds + (size_t)a->step * (size_t)dm->n_classes;
    for (int j = best; j < C; j++) {
        float pj = dm->binary ? (j ? p[0] : 1.0f - p[0]) : p[j];
        float pb = dm->binary ? (best ? p[0] : 1.0f - p[0]) : p[best];
        if (pj > pb) best = j;
    }
    const char *name = doc_class_name(a->doc, a->model, best, buf, cap);
    if (name != buf) snprintf(buf, cap, "%s", name);
    return buf;
}

/* a and b equal, ignoring ASCII case and spaces around b */
static bool same_word(const char *a, const char *b)
{
    while (*b == ' ') b++;
    size_t n = strlen(b);
    while (n > 0 && b[n - 1] == ' ') n--;
    if (strlen(a) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return false;
    return true;
}

static void judge(App *a, const char *given)
{
    char want[128];
    const char *answer = app_quiz_answer(a, want, sizeof want);
    if (!answer) return;
    a->quiz_judged = true;
    a->quiz_right = same_word(answer, given);
    a->quiz_revealed = true;
    a->dirty = true;
}

void app_quiz_pick(App *a, int k)
{
    const LessonDirectives *d = app_quiz_step(a);
    if (!d || k < 0 || k >= d->n_choices) return;
    a->quiz_pick = k;
    judge(a, d->choices[k]);
}

void app_quiz_type(App *a, const char *word)
{
    const LessonDirectives *d = app_quiz_step(a);
    if (!d || d->n_choices) return;
    snprintf(a->quiz_typed, sizeof a->quiz_typed, "%s", word);
    judge(a, word);
}

void app_quiz_reset(App *a)
{
    a->quiz_pick = -1;
    a->quiz_judged = false;
    a->quiz_right = false;
    a->quiz_typed[0] = '\0';
    a->quiz_revealed = false;
}
