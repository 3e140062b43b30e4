"""Keep only the unanswerable questions of a SQuAD 2.0 train file (its answerable ones are
already in the explorer's SQuAD 1.0 train pages).

    python -m training.unanswerable TRAIN_V2_JSON OUT.json
"""

import json
import sys
from pathlib import Path


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    data = json.loads(source.read_text())
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            paragraph["qas"] = [qa for qa in paragraph["qas"] if qa.get("is_impossible")]
    out.write_text(json.dumps(data))


if __name__ == "__main__":
    main()
