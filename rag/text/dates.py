"""Words that date something: years, months, weekdays, "ago", "decades"."""

import re

# Case-sensitive: month names are capitalised, and "may" or "march" in lower case are verbs.
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
DATE_WORDS = re.compile(rf"\b(1\d{{3}}|20\d{{2}})s?\b|\b({_MONTHS})\b|\b([Cc]entury|[Cc]enturies|"
                        r"[Dd]ecades?|ago|[Yy]esterday|[Tt]oday|Monday|Tuesday|Wednesday|Thursday|"
                        r"Friday|Saturday|Sunday)\b")
