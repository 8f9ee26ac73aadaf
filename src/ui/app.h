/* app: the window's state and its loop: poll events -> update -> draw.
 * Update never draws and drawing never changes state (views receive a const
 * App). The same App draws into a real window or, with no display, into a
 * software surface for `unroll render` and the tests. One file per job:
 *   app.c           the state and what changes it
 *   app_commands.c  the table of commands: keys, their help and status line
 *   app_events.c    events (keys through the table, mouse, text) and ticks
 *   app_field.c     the input bar's text editing
 *   app_frame.c     the frame: bars, panels, overlays, the table of views
 *   app_headless.c  drawing without a display (render, tests, benchmarks)
 *   app_window.c    the window and its loop, presenter mode
 * Depends on doc, render, theme, train_worker and SDL2. */
#ifndef UNROLL_APP_H
#define UNROLL_APP_H

#include <SDL.h>

#include "doc.h"
#include "lesson.h"
#include "render.h"
#include "theme.h"
#include "train_worker.h"

/* The vectors a square can belong to. */
typedef enum {
    VEC_X, VEC_H, VEC_C, VEC_HPREV, VEC_CPREV,
    VEC_GATE0, VEC_GATE1, VEC_GATE2, VEC_GATE3,   /* i f g o  |  z r n  |  pre of SimpleRNN */
    VEC_PRE0, VEC_PRE1, VEC_PRE2, VEC_PRE3,
    VEC_FC, VEC_IG, VEC_ACTC, VEC_ZH, VEC_ZN, VEC_ONE_MINUS_Z, VEC_RH,
    VEC_COUNT
} VecKind;

/* The input bar while a sentence is typed: the text, the cursor and the
 * selection (both byte offsets on UTF-8 character boundaries; the
 * selection runs between anchor and cursor). The document keeps the old
 * sentence until Enter, so Esc has nothing to undo. */
typedef struct {
    char text[DOC_MAX_INPUT];
    int cursor, anchor;
} TextField;

/* Input attribution of the prediction at the current step (app_attrib.c) */
typedef struct {
    bool valid;
    int model, step, T;
    int asked;              /* the class asked for (-1: the top one), cls the one computed */
    int cls;
    bool occlusion;         /* the method: occlusion, else gradient x input */
    float *values;          /* (T) gradient x input of cls's log-odds, or the drop in p_cls */
    float range;            /* largest |value| */
    void *tokens;           /* the input and prediction row those were computed for, to notice a
                               new sentence or new weights */
    size_t in_bytes;
} AttribCache;

typedef enum { BTN_VIEW0 = 100, BTN_MODEL0 = 200, BTN_INPUT = 300, BTN_LESSON0 = 400, BTN_CHOICE0 = 600,
               BTN_NARRATION = 700 /* the lesson panel's narration: t = how far it scrolls */ } ButtonId;
/* hist: the epoch slider and the training view's learning-rate and clipnorm buttons */
enum { BTN_EPOCH_SLIDER = 500, BTN_LR_DOWN, BTN_LR_UP, BTN_CLIP_DOWN, BTN_CLIP_UP };

#define APP_MESSAGE_MAX 512

typedef struct {
    Doc *doc;               /* on the heap: traces point into it, so it never moves */
    bool has_doc;
    Render render;
    Theme theme;
    bool dark, presenter, show_help;
    float font_scale;       /* Ctrl +/- */
    float dpi;              /* drawable pixels per window point */
    ViewKind view;
    int model;              /* the document model shown in unrolled / inspector */
    int layer, dir;         /* the recurrent layer (and direction) inspected */
    int step;               /* current timestep: tokens read so far - 1 */
    float zoom;             /* width of one step relative to the fitted width */
    int scroll;             /* first visible pixel of the steps strip */
    bool playing;
    Uint32 next_play_ms;
    Uint32 anim_start_ms;   /* the step animation started here */
    float anim;             /* 0..1 progress of the flow animation; 1 = still */
    int mouse_x, mouse_y;   /* in drawable pixels */
    Hot hover;
    bool has_hover;
    Hot selected;           /* the unit whose equation the inspector shows */
    bool has_selected;
    short highlight_vec;    /* a lesson step's `highlight: h` (a VecKind), outlined whole; -1: none */
    bool editing;           /* typing a sentence */
    TextField edit;
    char message[APP_MESSAGE_MAX];
    bool message_is_error;
    Uint32 now_ms;
    bool quit;
    /* the lesson browser (o): lessons found in lessons_dir */
    bool show_lessons;
    char lessons_dir[1024];
    int n_lessons;
    char lesson_paths[16][1100];
    char lesson_titles[16][128];
    bool want_save;         /* Ctrl+S: save the next frame as a PNG */
    bool dirty;             /* redraw needed */
    int lesson_step;        /* -1 = introduction */
    bool quiz_mode;         /* hide the models' answers until r reveals them */
    Generation gen;         /* the generate view's text */
    float temperature;      /* for generation, 0 = greedy */
    TrainRun train;
    int train_units, train_epochs;   /* settings for the next training run */
    unsigned long long train_seed;
    bool show_lesson;       /* the lesson panel (n toggles it) */
    SDL_Surface *surface;   /* headless: what the software renderer draws into */
    DocJob *input_job;      /* a typed sentence being computed off the frame loop, or NULL */
    Uint32 input_job_ms;    /* when it started */
    int window_x, window_y, window_w, window_h; /* where the window was before presenter mode */
    bool quiz_revealed;
    /* chart helper: the units the chart view plots, from a lesson step's
     * `units:` or the u / U keys; none: the tool picks (app_chart_units) */
    int chart_units[LESSON_MAX_UNITS];
    int n_chart_units;
    bool chart_units_from_lesson;
    /* input attribution (helper attr): the a key, a lesson's `attribution:` */
    bool attrib_on;
    int attrib_class;       /* the class a lesson step names; -1: the prediction's top class */
    bool attrib_occlusion;  /* Shift+A: occlusion (the drop in p with the word made padding) */
    AttribCache attrib;
    /* hist: the epoch slider is being dragged; the next training run's
     * learning rate (<= 0: the lesson's) and clipnorm (0: none) */
    bool epoch_drag;
    float train_lr, train_clipnorm;
    bool train_sgd;         /* hist: the next run uses plain SGD instead of Adam */
    /* judged quizzes (app_quiz.c) */
    int quiz_pick;          /* the choice picked, -1: none */
    bool quiz_judged;       /* answered: right or wrong shown, the model's bars revealed */
    bool quiz_right;
    bool quiz_typing;       /* the input bar takes the typed answer, not a sentence */
    char quiz_typed[80];    /* the typed answer, as typed */
    int lesson_scroll;      /* narration lines scrolled past (wheel over the lesson panel) */
} App;

/* Sets defaults; opens path (NULL: nothing) and shows any error in the window. */
void app_init(App *a, const char *path);
void app_free(App *a);
/* Opens a lesson or model, replacing the current one; errors become the
 * window's message and the old document stays. */
void app_open(App *a, const char *path);

/* One event. Returns true when something changed that needs a redraw. */
bool app_event(App *a, const SDL_Event *e);
/* Advances animations and playback to now_ms. */
void app_tick(App *a, Uint32 now_ms);
/* Whether the app needs frames without events (playing or animating). */
bool app_animating(const App *a);

/* Draws the current view. */
void app_draw(App *a);
/* Writes the frame just drawn to a PNG in the working folder (Ctrl+S). */
void app_save_frame(App *a);

/* Font size in pixels for a role, from the output height, the user's scale
 * and presenter mode. */
typedef enum { TEXT_SMALL, TEXT_BODY, TEXT_LARGE, TEXT_TITLE } TextRole;
int app_px(const App *a, TextRole role);

/* Shows view v (the hover of the old view goes). */
void app_set_view(App *a, ViewKind v);

/* Moves to step t (clamped), starting the flow animation. */
void app_set_step(App *a, int t);
int app_step_count(const App *a);

/* hist: shows the models' training-history snapshot epoch (clamped; every
 * view follows). Nothing happens without a history. */
void app_set_epoch(App *a, int epoch);
/* hist: the epoch under pixel column x of the slider drawn last frame (the
 * hot region BTN_EPOCH_SLIDER); -1 if there is none. */
int app_epoch_at(const App *a, int x);

/* Applies a lesson step's directives (view, sentence, step, cell, highlight). */
void app_goto_lesson_step(App *a, int k);

/* ---- the input bar's text editing (app_field.c) ---- */
/* Starts editing text with all of it selected, so typing replaces it. */
void field_begin(TextField *f, const char *text);
/* Types s over the selection (what does not fit is dropped whole characters at a time). */
void field_insert(TextField *f, const char *s);
/* Left/Right, Home/End (Shift extends the selection), Ctrl+A, Backspace,
 * Delete, Ctrl+U. False when the key is not the field's. */
bool field_key(TextField *f, SDL_Keycode key, Uint16 mod);
/* The selection as [*from, *to) (empty when equal). */
void field_selection(const TextField *f, int *from, int *to);

/* ---- views (one file each) ---- */
void view_unrolled_draw(const App *a, Render *r, Box area);
void view_inspector_draw(const App *a, Render *r, Box area);
void view_compare_draw(const App *a, Render *r, Box area);
void view_predictions_draw(const App *a, Render *r, Box area);
void view_training_draw(const App *a, Render *r, Box area);
void view_gradients_draw(const App *a, Render *r, Box area);
void view_generate_draw(const App *a, Render *r, Box area);
/* chart helper: the unit chart (view_chart.c) */
void view_chart_draw(const App *a, Render *r, Box area);
/* tensors (lesson 7): text to tensors, stage by stage (view_tensors.c);
 * the colour of the hatching on padding */
void view_tensors_draw(const App *a, Render *r, Box area);
Color view_tensors_pad_color(const Theme *th);
/* The units the chart shows, at most cap, best first: chosen ones
 * (chart_units), else a clicked square's unit and the tool's picks; why
 * (if not NULL) says which rule chose them. */
int app_chart_units(const App *a, int *out, int cap, char *why, size_t wcap);
/* The chart's lines: 0 h, 1 c, 2.. the gates in the cell's order. */
#define CHART_LINES 6
Color chart_line_color(int q);
/* Where step s of T and value v of [-range, range] fall in a plot box. */
int chart_x(Box plot, int T, int s);
int chart_y(Box plot, float v, float range);

/* Starts training the lesson's models with the train_* settings. */
void app_train_start(App *a);
/* Asks the worker to stop; the old models stay. */
void app_train_cancel(App *a);
/* True when a worker has finished (read under its lock). */
bool app_train_finished(App *a);
/* Waits for the worker; applies its models if it finished. */
void app_train_join(App *a);

/* ---- judged quizzes (app_quiz.c) ---- */
/* The current lesson step's directives when it asks a judged quiz (one
 * with choices or an answer); NULL otherwise. */
const LessonDirectives *app_quiz_step(const App *a);
/* The right answer of the judged quiz on screen into buf: the lesson's
 * answer, or with `answer: model` the shown model's top word (or class) at
 * the current step. NULL when there is none. */
const char *app_quiz_answer(const App *a, char *buf, size_t cap);
/* Picks choice k (0-based) of a multiple-choice quiz and judges it. */
void app_quiz_pick(App *a, int k);
/* Judges a typed answer (case and surrounding spaces ignored). */
void app_quiz_type(App *a, const char *word);
/* Forgets the answer given (a new step, another sentence). */
void app_quiz_reset(App *a);
/* ---- the lesson panel (app_frame.c; helper quiz) ---- */
/* Width of the lesson panel in a frame W pixels wide (wider in presenter mode). */
int app_lesson_panel_width(const App *a, int W);
/* Narration type size: TEXT_BODY, but at least 2.7% of the height in
 * presenter mode (29 px at 1080p: readable from the back of a room). */
int app_lesson_px(const App *a);
#define LESSON_SCROLL_MAX 400

/* True while a lesson's quiz step hides the model's answer. */
bool app_answer_hidden(const App *a);

/* ---- input attribution (app_attrib.c) ---- */
/* Recomputes the attribution cache when the model, step, class or sentence
 * changed (app_draw calls it before drawing); frees it. */
void app_attrib_refresh(App *a);
void app_attrib_free(App *a);
/* Whether shading is on and computed for what is shown. */
bool app_attrib_shown(const App *a);
/* The shading of input position s, and the text colour that reads on it. */
Color app_attrib_color(const App *a, int s);
Color app_attrib_text_color(const App *a, int s, Color usual);
/* Fills cell with position s's shading (nothing when off or 0). */
void app_attrib_shade(const App *a, Render *r, Box cell, int s);
/* "contribution to 'bread'" and the map, in box; its height. */
void app_attrib_legend(const App *a, Render *r, Box box);
int app_attrib_legend_height(const App *a, Render *r);
/* The words read up to the current step, shaded, with the legend on the left. */
void app_attrib_sentence(const App *a, Render *r, Box box);

/* Shared drawing helpers (views.c) */
const char *vec_name(VecKind v, CellKind kind);
/* The value of the vector at unit j for the hovered/selected square, and a
 * one-line formula with the numbers filled in. False if none. */
bool app_describe(const App *a, const Hot *h, char *title, size_t tcap, char *formula, size_t fcap);
/* A grid of squares for n values inside box; registers each as a HOT_UNIT
 * (fields from proto) and returns the box used. */
Box draw_strip(Render *r, const Theme *th, Box box, const float *v, int n, float range, bool unit_range, float fade,
               const Hot *proto);
/* chart helper: a layer's one grid (see views.c): columns for n units,
 * the largest square that fits box, and a strip drawn in that grid with
 * squares of cell pixels (0: the largest that fits), centred in box. */
int strip_cols(int n);
int strip_cell(Box box, int n, int cols);
Box draw_strip_grid(Render *r, const Theme *th, Box box, const float *v, int n, float range, bool unit_range, float fade,
                    const Hot *proto, int cols, int cell);
void draw_legend(const App *a, Render *r, Box box, float c_range);
void draw_tooltip(const App *a, Render *r);

/* ---- cut helper: the words under a row of steps, whole (views.c) ----
 * Word p sits on row p % rows, so neighbours on one row are `rows` steps
 * apart: a word may take that many steps' width. */
#define TOKEN_ROWS_MAX 3
typedef struct {
    int rows;   /* 1..TOKEN_ROWS_MAX */
    int px;     /* type size: the body type, else the small type */
    bool whole; /* every word of the sentence fits */
} TokenLayout;
/* The fewest rows (at most max_rows) and the larger type in which every
 * word fits steps sw pixels apart. */
TokenLayout token_layout(const App *a, Render *r, float sw, int max_rows);
/* views.c: an activation's symbol ("\xCF\x83", "tanh", "relu", "linear");
 * a number as "%.3f" with a real minus sign and no -0.000 */
const char *view_act_symbol(Act act);
void view_format_num(char *buf, size_t cap, float v);
/* The narrowest step at which every word fits on max_rows rows in the
 * small type. */
float token_min_step(const App *a, Render *r, int max_rows);
/* The height of the words' rows (and the token ids' line when ids). */
int token_rows_height(const App *a, Render *r, const TokenLayout *tl, bool ids);
/* Steps sw apart with position 0 centred at x0: the words (current one
 * bold on the accent), ids under them when ids, input attribution's
 * shading when attribution, a HOT_TOKEN per word; only words over
 * [clip.x, clip.x + clip.w) are drawn. */
void draw_tokens(const App *a, Render *r, Box clip, float x0, float sw, int ty, const TokenLayout *tl, bool ids,
                 bool attribution);
/* A row of T steps in w pixels: each at least min_sw wide (times zoom).
 * When they do not all fit, only whole steps show (sw is stretched so n
 * fill w exactly) from step first, keeping the current step in view;
 * scroll = first * sw. */
typedef struct {
    float sw, scroll;
    int first, n; /* the steps shown: first .. first + n - 1 */
} StepRow;
StepRow step_row_fit(const App *a, int w, int T, float min_sw, float zoom);

/* ---- conv helper: convolution models as windows over the tokens (view_conv.c) ---- */
/* The first Conv1D layer of m (0 when there is none). */
int conv_first_layer(const Model *m);
/* Whether the window draws m as windows: no recurrent layer, or a Conv1D
 * changing the length before the first one (its steps are not the words). */
bool conv_shown_as_windows(const Model *m);
/* The receptive field of output position o of layer (a Conv1D, or any
 * layer above convolutions) when the model reads T steps, from the layers'
 * kernel, dilation, strides and padding: its width in input positions
 * (padding included, the same for every o), its first and last positions
 * (< 0 or >= T: padding; false when a recurrent layer lies below, its
 * output reading everything before), and the input positions it depends
 * on (seen[p] = 1; seen and work hold T bytes each; returns how many, -1
 * when a recurrent layer lies below). */
int conv_receptive_size(const Model *m, int layer);
bool conv_receptive_span(const Model *m, int layer, int T, int o, int *lo, int *hi);
int conv_receptive_field(const Model *m, int layer, int T, int o, unsigned char *seen, unsigned char *work);
/* "9 positions wide: kernel 5, then kernel 5" */
void conv_receptive_text(const Model *m, int layer, char *buf, size_t cap);
/* The output position of layer the view is on at step (the last whose
 * place over the words is at or before it), and the step a position stands on. */
int conv_current_output(const DocModel *dm, int layer, int T, int step);
int conv_output_step(const DocModel *dm, int layer, int T, int o);
/* A recurrent layer reading a conv's positions (fewer than the words): the
 * processing step it is on at step, and what that step reads into what
 * ("position 4 of conv1d (words 4–6)"). */
int conv_rnn_step(const DocModel *dm, int layer, int dir, int T, int step, char *what, size_t cap);
/* app_describe for squares of layers that are no recurrent layer. */
bool conv_describe(const App *a, const Hot *h, char *title, size_t tcap, char *formula, size_t fcap);
void view_conv_unrolled_draw(const App *a, Render *r, Box area);
void view_conv_inspector_draw(const App *a, Render *r, Box area);
/* The chart view of a convolution: a few filters over its positions. */
void view_conv_chart_draw(const App *a, Render *r, Box area);
/* Model mi's last positions layer in lane, position 0 centred at x0, sw apart. */
void view_conv_compare_lane(const App *a, Render *r, int mi, Box lane, float x0, float sw);

/* Headless: an App drawing into a w x h software surface (SDL's dummy video
 * driver), for `unroll render`, benchmarks and tests. NULL with err. */
App *app_headless_create(int w, int h, Err *err);
void app_headless_destroy(App *a);
/* Opens path in a headless App; false with err (the App keeps no document). */
bool app_headless_open(App *a, const char *path, Err *err);
/* The colour of pixel (x, y) of the last frame drawn headless. */
Color app_headless_pixel(const App *a, int x, int y);

/* Headless: draws one frame of path's view at size into a PNG. */
typedef struct {
    const char *path;
    ViewKind view;
    int step;              /* -1: the last step */
    int width, height;
    bool dark;
    const char *text;      /* NULL: the document's own input */
    bool presenter;        /* presenter mode's type and contrast (F11) */
    int lesson_step;       /* 0-based lesson step, -1: the introduction, -2: none */
    int model;             /* -1: default */
    int words;             /* generate view: words to generate first */
    bool train;            /* training view: train the lesson's models first (else the
                              shipped models' history curves, when they have histories) */
} RenderRequest;

bool app_render_png(const RenderRequest *req, const char *out_png, Err *err);

/* Finds the lessons (NN-*.md) in dir for the lesson browser. */
void app_scan_lessons(App *a, const char *dir);

/* Opens the window and runs until it is closed. Returns the exit status.
 * lessons_dir is where the lesson browser looks. */
int app_run(const char *path, const char *lessons_dir);

#endif
