"""Numbers, in digits and in words."""

import re

# Digits as written, with their separators: "1,200", "3.5".
DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
# Counts written as words, with their digits: "three years" needs a passage that says three (or 3).
COUNTS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split()) if i >= 2}
# A word that states a quantity: a digit, or a number word ("dozens", "twice", "percent").
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                 "thirty|forty|fifty|sixty|hundred|hundreds|thousand|thousands|million|millions|"
                 "billion|billions|dozen|dozens|half|third|quarter|double|twice|percent")
QUANTITY = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE)
