from rag.ingest.clean import clean_text
from tests.samples import SEED_CORPUS


def seed(name_prefix: str) -> str:
    return next(SEED_CORPUS.glob(f"{name_prefix}_*.txt")).read_text()


def test_seed_boilerplate_is_removed() -> None:
    cleaned = "\n".join(clean_text(p.read_text()) for p in sorted(SEED_CORPUS.glob("*.txt")))
    for junk in ["ADVERTISEMENT", "Recommended articles", "Senegal shoots for the moon",
                 "GoldenMining", "FOLLOW BUSINESS INSIDER", "Unblock notifications",
                 "< td >", "td >", "li >", "ul >", "tr >", "Leave a Reply", ". . . . . ."]:
        assert junk not in cleaned, junk


def test_seed_article_text_remains() -> None:
    article = clean_text(seed("003"))
    assert article.startswith("Russian-backed paramilitary group assumes security role in Mali")
    assert "Yevgeny Prigozhin, and commander Dmitry Utkin led a failed mutiny" in article
    assert article.rstrip().endswith("Fathia Olasupo")
    table = clean_text(seed("001"))
    for cell in ["Governance Reform", "Implement transparent oversight systems within armed forces",
                 "Strengthen cross-border cooperation mechanisms", "Focus Area Recommended Measures"]:
        assert cell in table.splitlines(), cell


def test_every_sentence_of_the_article_bodies_survives() -> None:
    for path in sorted(SEED_CORPUS.glob("*.txt")):
        raw, cleaned = path.read_text(), clean_text(path.read_text())
        body = raw.split("Fathia Olasupo")[0]  # 003's byline ends the article
        for line in body.splitlines():
            line = " ".join(line.split())
            if len(line) > 80 and "<" not in line and " >" not in line:
                assert line.lstrip("• ") in cleaned, (path.name, line[:60])


def test_trailer_list_and_furniture_lines() -> None:
    text = "Title\nReal sentence one.\nAdvertisement\nShare this article\nRelated stories\nOther headline"
    assert clean_text(text) == "Title\nReal sentence one."


def test_duplicate_consecutive_lines_and_bullets() -> None:
    assert clean_text("Head\nHead\n  • point one\n– point two") == "Head\npoint one\npoint two"
