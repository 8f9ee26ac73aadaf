#!/usr/bin/env python3
"""Writes the data of lesson 10 (dropout): short notes about weekend plans,
made from word lists written for this project with a seeded generator, so
the files are the same every time.

  dropout/data.jsonl   the training rows (few on purpose: a big model can
                       learn every one of them by heart)
  dropout/held.jsonl   the validation rows: other sentences, never trained on

"on sunday my aunt wants to fly a kite after lunch" -> outdoors (1);
"next friday the twins hope to bake bread before dinner" -> indoors (0).
The plan (one of 24, twelve for each label) decides the label, except that
one row in five, in both files, carries the other label: the notes were
"labelled in a hurry". Those rows can only be learned by heart, which is
what overfitting is.

Held out means held out: no validation sentence occurs in the training data,
none occurs twice, and no sentence the lesson shows (its `sentence:` lines)
is in either file.

Standard library only:  python3 lessons/dropout/make_data.py
"""
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
LESSON = os.path.join(HERE, "..", "10-dropout.md")

WHEN = ["on sunday", "on saturday", "next friday", "this evening", "tomorrow",
        "on monday", "at the weekend", "tonight", "on tuesday", "next week"]
WHO = ["my aunt", "the twins", "our uncle", "my sister", "the new neighbour",
       "grandad", "my cousin", "the two of us", "her brother", "the whole class"]
PLURAL = {"the twins", "the two of us"}
WANTS = ["wants to", "hopes to", "plans to", "would like to", "is going to"]
WANT = ["want to", "hope to", "plan to", "would like to", "are going to"]
INDOORS = ["bake bread", "read in bed", "paint the hall", "play chess",
           "watch a film", "fix the radio", "sort the attic", "knit a scarf",
           "cook soup", "play the piano", "tidy the cellar", "write letters"]
OUTDOORS = ["fly a kite", "walk the dog", "swim in the lake", "climb the hill",
            "row a boat", "pick berries", "ride bikes", "watch the birds",
            "dig the garden", "camp in the woods", "fish off the pier", "sail on the bay"]
TAIL = ["after lunch", "before dinner", "with friends", "if there is time",
        "all afternoon", "for an hour", "early", "again"]
NOISE = 0.2


def row(rng):
    outdoors = rng.random() < 0.5
    plan = rng.choice(OUTDOORS if outdoors else INDOORS)
    who = rng.choice(WHO)
    words = [rng.choice(WHEN), who, rng.choice(WANT if who in PLURAL else WANTS), plan]
    if rng.random() < 0.7:
        words.append(rng.choice(TAIL))
    label = outdoors != (rng.random() < NOISE)
    return {"text": " ".join(words), "label": int(label)}


def shown_sentences():
    """Every sentence lesson 10 puts on screen."""
    if not os.path.exists(LESSON):
        return set()
    with open(LESSON) as f:
        return set(re.findall(r'^sentence: "(.*)"$', f.read(), re.M))


def write(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def main():
    rng = random.Random(1010)
    shown = shown_sentences()
    held, seen = [], set(shown)
    while len(held) < 300:
        r = row(rng)
        if r["text"] not in seen:
            seen.add(r["text"])
            held.append(r)
    train = []
    while len(train) < 240:
        r = row(rng)
        if r["text"] not in seen:
            seen.add(r["text"])
            train.append(r)
    write(os.path.join(HERE, "data.jsonl"), train)
    write(os.path.join(HERE, "held.jsonl"), held)


if __name__ == "__main__":
    main()
