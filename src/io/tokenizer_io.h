/* tokenizer_io: tokenizer.json in and out, in the format of Keras'
 * Tokenizer.to_json() (contracts.md section 4):
 *   {"class_name": "Tokenizer", "config": {"num_words": ..., "filters": ...,
 *    "lower": ..., "split": ..., "char_level": ..., "oov_token": ...,
 *    "document_count": ..., "word_counts": "<JSON>", "word_docs": "<JSON>",
 *    "index_docs": "<JSON>", "index_word": "<JSON>", "word_index": "<JSON>"}}
 * where the five dictionaries are JSON texts inside JSON strings.
 * Reads what Keras writes, also when the user saved to_json()'s result with
 * json.dump (the whole document then is one JSON string holding the JSON).
 * Everything read is untrusted: every field is checked and a problem comes
 * back as one Err line naming the file and the field. Writes byte for byte
 * what Python's json.dumps writes (", " and ": " separators, non-ASCII as
 * \uXXXX), atomically. char_level tokenizers are read and written
 * ("char_level": true, as Keras writes it).
 * A TextVectorization (class_name "TextVectorization") is stored as Keras'
 * layer config with its vocabulary (contracts.md section 4):
 *   {"class_name": "TextVectorization", "config": {"name": ..., "max_tokens":
 *    null|N, "standardize": null|"lower"|"strip_punctuation"|
 *    "lower_and_strip_punctuation", "split": null|"whitespace"|"character",
 *    "ngrams": null, "output_mode": "int", "output_sequence_length": null|N,
 *    ..., "vocabulary": ["", "[UNK]", tokens...], "vocabulary_size": N,
 *    "strip_html_breaks": true (only when set; unroll's)}}
 * Depends on base, text and cJSON. */
#ifndef UNROLL_TOKENIZER_IO_H
#define UNROLL_TOKENIZER_IO_H

#include <stddef.h>

#include "base.h"
#include "text.h"

/* Largest tokenizer.json accepted: TOKENIZER_IO_MAX_JSON (unroll_limits.h). */

/* Reads the tokenizer at path. Fields that are absent or null take Keras'
 * defaults (num_words and oov_token: None); word_index is required;
 * word_counts, word_docs, index_docs and index_word may be absent (the
 * last is then derived). Refused, with the file and field named: not valid
 * JSON, not an object, class_name other than "Tokenizer" or
 * "TextVectorization", a field of the wrong type, a TextVectorization with a
 * custom standardize or split, ngrams, an output_mode other than "int", a
 * vocabulary with a repeated token or '' / [UNK] past their places or more
 * entries than max_tokens, a dictionary that is not a JSON string holding
 * a JSON object, an index or count that is not a whole number in range, a
 * duplicate word or index, index_word that is not word_index's inverse, an
 * OOV token missing from a non-empty word_index, strings that are not UTF-8.
 * On failure tok is left freed (as after tokenizer_free). */
bool tokenizer_load(Tokenizer *tok, const char *path, Err *err);

/* The same from text[0..len) in memory; name is used in messages. */
bool tokenizer_parse(Tokenizer *tok, const char *text, size_t len, const char *name, Err *err);

/* What Keras' to_json() returns for this tokenizer (NUL-terminated, caller
 * frees). word_docs and index_docs are in first-appearance order (Keras'
 * follow Python's set order, which varies from run to run). */
char *tokenizer_to_json(const Tokenizer *tok);

/* Writes tokenizer_to_json(tok) to path atomically (a temporary file beside
 * it, then rename). */
bool tokenizer_save(const Tokenizer *tok, const char *path, Err *err);

#endif
