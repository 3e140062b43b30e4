"""Writes evals/corpora/weekly/weekly.jsonl and evals/weekly.jsonl: a SYNTHETIC corpus of
weekly news briefs (clearly labelled: every article's source ends in "(synthetic)" and
carries `"synthetic": true`), written for this eval, and the "this week / recently"
cases asked over it as of dates between the briefs.

Each topic has twelve briefs a week apart that say nearly the same thing with a different
figure, so only the date tells which one a "this week" question asks about: a ranking
that ignores time picks an article from the wrong week. Deterministic; run it again to
regenerate both files: `python evals/make_weekly.py`.
"""

import json
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = date(2025, 1, 6)  # a Monday; topic t's briefs come out t % 5 days later each week
SOURCE = "Sahel Weekly Briefs (synthetic)"

# topic id, title, the brief's sentence ({v}: the week's figure), another sentence, values,
# the question ({when}: "this week", ...), the figure's unit as answers write it.
TOPICS = [
    ("petrol", "Petrol price in Niamey", "A litre of petrol in Niamey cost {v} CFA francs at the pump, "
     "the ministry of commerce said.", "Transport unions said fares would follow the pump price.",
     [512, 518, 505, 521, 509, 527, 498, 533, 515, 540, 502, 536], "What did a litre of petrol cost in Niamey {when}?"),
    ("convoy", "Timbuktu supply convoy", "A convoy of {v} trucks carrying food and fuel reached "
     "Timbuktu under army escort, the regional governor said.", "Traders said the road from Mopti "
     "remained dangerous.", [41, 57, 36, 62, 48, 73, 39, 66, 52, 44, 69, 58],
     "How many trucks did the supply convoy bring to Timbuktu {when}?"),
    ("mopti", "Displaced families in Mopti", "Aid workers registered {v} newly displaced people at "
     "the camps around Mopti, the humanitarian office said.", "Most of them fled fighting in the "
     "villages of the Bandiagara plateau.", [1240, 980, 1515, 870, 1330, 1105, 1690, 940, 1410, 1025, 1580, 1160],
     "How many newly displaced people were registered around Mopti {when}?"),
    ("gold", "Gold price in Bamako", "A gram of gold sold for {v} CFA francs at the Bamako market, "
     "jewellers said.", "Artisanal miners from Kenieba brought most of the metal.",
     [48200, 47650, 49100, 48800, 50300, 49700, 51250, 50850, 52100, 51600, 53400, 52750],
     "What did a gram of gold sell for at the Bamako market {when}?"),
    ("river", "Niger River level at Niamey", "The Niger River stood at {v} centimetres at the "
     "Niamey gauge, the hydrological service said.", "Farmers along the river banks watched the "
     "level closely.", [356, 371, 342, 388, 364, 397, 349, 402, 379, 415, 361, 424],
     "What level did the Niger River reach at the Niamey gauge {when}?"),
    ("cotton", "Malian cotton at Dakar port", "The port of Dakar shipped {v} containers of Malian "
     "cotton, the port authority said.", "Exporters said the rail link to Bamako was still slow.",
     [214, 187, 236, 199, 251, 208, 263, 192, 244, 221, 272, 205],
     "How many containers of Malian cotton did the port of Dakar ship {when}?"),
    ("bread", "Bread price in Ouagadougou", "A baguette cost {v} CFA francs in Ouagadougou bakeries, "
     "the consumer league said.", "Bakers blamed the price of imported flour.",
     [165, 170, 160, 175, 168, 180, 158, 185, 172, 190, 162, 178],
     "What did a baguette cost in Ouagadougou bakeries {when}?"),
    ("patrols", "Sahel Shield border patrols", "The Sahel Shield joint force carried out {v} patrols "
     "along the border, its spokesman said.", "The spokesman said markets on the border stayed open.",
     [27, 34, 22, 39, 31, 45, 25, 42, 36, 29, 48, 33],
     "How many border patrols did the Sahel Shield joint force carry out {when}?"),
]
# (phrase, the week the answer comes from, days after that week's brief the question is asked)
ASKED = [("this week", 3, 2), ("this week", 9, 4), ("yesterday", 2, 1), ("last week", 6, 8),
         ("recently", 10, 3), ("so far this week", 11, 0), ("today", 7, 0)]


def published(topic: int, week: int) -> date:
    return FIRST + timedelta(days=7 * week + topic % 5)


def figure(value: int) -> str:
    return f"{value:,}"


def main() -> None:
    articles, cases = [], []
    for t, (key, title, lead, other, values, question) in enumerate(TOPICS):
        for week, value in enumerate(values):
            day = published(t, week)
            # The older briefs say more around the figure, as a fuller report would: a
            # ranking by words alone tends to prefer them.
            extra = (f" It was the figure the {title.lower()} report gave this week." if week % 3 == 0 else "")
            articles.append({"id": f"{key}-w{week + 1}", "title": f"{title}: week of {day:%d %B %Y}",
                             "published_at": day.isoformat(), "source": SOURCE, "synthetic": True,
                             "text": f"{title}: week of {day:%d %B %Y}\n{lead.format(v=figure(value))}"
                                     f"{extra} {other}"})
        for n, (when, week, after) in enumerate(ASKED, start=1):
            cases.append({"id": f"week-{key}-{n}", "question": question.format(when=when),
                          "as_of": (published(t, week) + timedelta(days=after)).isoformat(),
                          "facts": [sorted({figure(values[week]), str(values[week])})],
                          "sources": [f"{key}-w{week + 1}"], "tags": ["as-of", when.replace(" ", "-")]})
    corpus = HERE / "corpora" / "weekly" / "weekly.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles))
    (HERE / "weekly.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(articles)} articles -> {corpus}, {len(cases)} cases -> evals/weekly.jsonl")


if __name__ == "__main__":
    main()
