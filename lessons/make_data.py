#!/usr/bin/env python3
"""Writes the data of lessons 2-4 and 6: sentences made from word lists
written for this project, with a seeded generator, so the files are the same
every time.

  memory/data.jsonl, memory/probe.jsonl
      "my friend the pilot ... <15-30 filler words> ... likes to talk about"
      -> the subject that goes with the job named near the start (maps, bread,
      colour, health). The deciding word is 15-30 tokens before the end.
  sentiment/data.jsonl, sentiment/probe.jsonl
      one or two short judgements, each possibly negated ("not bad, good");
      the label is the sentiment of the last one (0 negative, 1 positive).

  tensors/data.jsonl, tensors/probe.jsonl
      a short verdict on a visit to a cafe ("The soup was really cold!"),
      written as people type it (capitals, commas, a "!"), sometimes with a
      time before or after it; the label is the verdict (0 negative,
      1 positive). Rare dishes make the vocabulary longer than lesson 7's
      num_words, so they become the OOV token.

Held out means held out: no probe sentence occurs in the training data, no
sentence occurs twice in a probe set, and no sentence a lesson shows (its
`sentence:` lines, the pair of lesson 3) is in either, so a claim made on
the screen is about a sentence the networks never trained on.

Standard library only:  python3 lessons/make_data.py
"""
import glob
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))

JOBS = [("pilot", 0), ("sailor", 0), ("baker", 1), ("cook", 1),
        ("painter", 2), ("potter", 2), ("doctor", 3), ("nurse", 3)]
OPENERS = ["my friend the", "our neighbour the", "the old", "a young"]
FILLER = ("went to the market on a quiet morning and then walked along the "
          "river past the school where children played near a small bridge "
          "while the clouds moved slowly over the roofs of the town").split()
QUESTION = "and at dinner always likes to talk about".split()


def memory_row(rng):
    job, label = rng.choice(JOBS)
    n = rng.randint(15, 30) - len(QUESTION)
    start = rng.randrange(len(FILLER))
    filler = [FILLER[(start + k) % len(FILLER)] for k in range(n)]
    words = rng.choice(OPENERS).split() + [job] + filler + QUESTION
    return {"text": " ".join(words), "label": label}


GOOD = ["good", "great", "lovely", "fine", "warm"]
BAD = ["bad", "awful", "dull", "poor", "cold"]
THINGS = ["the film was", "the song felt", "the soup tasted", "the show was", "the book seemed"]


def judgement(rng):
    positive = rng.random() < 0.5
    word = rng.choice(GOOD if positive else BAD)
    negated = rng.random() < 0.5
    return (["not", word] if negated else [word]), positive != negated


def sentiment_row(rng):
    words = rng.choice(THINGS).split()
    first, sense = judgement(rng)
    words += first
    if rng.random() < 0.6:
        second, sense = judgement(rng)
        words += ["but" if rng.random() < 0.5 else "and", "then"] + second
    return {"text": " ".join(words), "label": int(sense)}


CAFE_THINGS = ["the tea", "the soup", "the bread", "the coffee", "the cake", "the music", "the waiter",
               "our table", "the room", "the service"]
RARE_DISHES = ["the quiche", "the scone", "the strudel", "the risotto", "the flan", "the gnocchi",
               "the chowder", "the pretzel", "the crumble", "the tart", "the bagel", "the muffin"]
CAFE_VERBS = ["was", "felt", "seemed", "tasted", "looked"]
CAFE_ADVERBS = ["really", "very", "quite", "rather", "so"]
CAFE_GOOD = ["lovely", "warm", "fresh", "friendly", "perfect"]
CAFE_BAD = ["cold", "stale", "rude", "noisy", "awful"]
CAFE_TIMES = ["on a rainy monday", "when we visited last week", "this morning", "after our long walk",
              "at lunch on sunday", "yesterday", "again"]


def tensors_row(rng):
    thing = rng.choice(RARE_DISHES if rng.random() < 0.15 else CAFE_THINGS)
    positive = rng.random() < 0.5
    verdict = rng.choice(CAFE_GOOD if positive else CAFE_BAD)
    if rng.random() < 0.15:
        verdict = verdict.upper()  # typed with feeling: standardizing lowers it
    words = thing.split() + [rng.choice(CAFE_VERBS)]
    for _ in range(rng.choice([0, 0, 1, 2])):
        words.append(rng.choice(CAFE_ADVERBS))
    words.append(verdict)
    where = rng.random()
    time = rng.choice(CAFE_TIMES).split()
    if where < 0.3:
        words = time + [","] + words
    elif where < 0.6:
        words = words + time
    text = " ".join(words).replace(" ,", ",")
    text = text[0].upper() + text[1:] + rng.choice([".", ".", "!", "!!", ""])
    return {"text": text, "label": int(positive)}


def write(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def shown_sentences():
    """Every sentence the lessons put on screen."""
    shown = {"the film was not good but then bad", "the film was not bad but then good"}
    for path in glob.glob(os.path.join(HERE, "[0-9][0-9]-*.md")):
        with open(path) as f:
            shown.update(re.findall(r'^sentence: "(.*)"$', f.read(), re.M))
    return shown


def held_out(make, rng, n_train, n_probe, shown):
    """n_probe distinct probe rows, then n_train training rows; neither holds
    a shown sentence, and no training row is a probe sentence."""
    probe, seen = [], set(shown)
    while len(probe) < n_probe:
        row = make(rng)
        if row["text"] not in seen:
            seen.add(row["text"])
            probe.append(row)
    train = []
    while len(train) < n_train:
        row = make(rng)
        if row["text"] not in seen:
            train.append(row)
    return train, probe


def main():
    shown = shown_sentences()
    train, probe = held_out(memory_row, random.Random(12), 1200, 200, shown)
    write(os.path.join(HERE, "memory", "data.jsonl"), train)
    write(os.path.join(HERE, "memory", "probe.jsonl"), probe)
    train, probe = held_out(sentiment_row, random.Random(34), 1500, 300, shown)
    write(os.path.join(HERE, "sentiment", "data.jsonl"), train)
    write(os.path.join(HERE, "sentiment", "probe.jsonl"), probe)
    os.makedirs(os.path.join(HERE, "tensors"), exist_ok=True)
    train, probe = held_out(tensors_row, random.Random(56), 1500, 300, shown)
    write(os.path.join(HERE, "tensors", "data.jsonl"), train)
    write(os.path.join(HERE, "tensors", "probe.jsonl"), probe)


if __name__ == "__main__":
    main()
