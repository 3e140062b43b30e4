"""`/feedback` through gradio_client: it rates what `/chat` answered in the same session,
into the same store as the chat's buttons, and `rag feedback export` makes eval cases."""

import re

import pytest
from gradio_client import Client

from rag.eval.cases import load_cases
from rag.app.feedback import FeedbackStore, export, feedback_path
from tests.servers import running_app, temp_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with running_app(temp_settings(tmp_path_factory.mktemp("feedback-api"))) as (url, pipeline):
        yield url, pipeline


def stored(pipeline) -> FeedbackStore:
    return FeedbackStore(feedback_path(pipeline.settings))


def test_feedback_rates_the_last_answer_of_the_session(served, tmp_path):
    url, pipeline = served
    client = Client(url, verbose=False)
    client.predict("When did Wagner deploy to Mali?", api_name="/chat")
    said = client.predict("up", api_name="/feedback")
    assert said.startswith("feedback ") and "When did Wagner deploy to Mali?" in said

    client.predict("Who won the 2022 World Cup?", api_name="/chat")
    client.predict("down", not_in_corpus=True, api_name="/feedback")
    # And correcting the first answer afterwards, by its turn.
    client.predict("down", expected="December 2021", turn=1, api_name="/feedback")

    items = stored(pipeline).all()
    assert [(i.rating, i.question) for i in items] == [
        ("down", "When did Wagner deploy to Mali?"), ("down", "Who won the 2022 World Cup?")]
    first = items[0]
    assert first.expected == "December 2021" and first.accepted == []
    assert first.record["answer"]["citations"] and first.record["index"]["documents"]
    assert first.record["backend"] == "extractive"

    target = tmp_path / "from-chat.jsonl"
    export(items, target)
    cases = load_cases([target])
    assert cases[0].facts == [["December 2021"]] and cases[1].abstain


def test_feedback_without_an_answer_or_with_a_bad_rating_is_refused(served):
    client = Client(served[0], verbose=False)
    with pytest.raises(Exception, match="ask with /chat first"):
        client.predict("up", api_name="/feedback")
    client.predict("When did Wagner deploy to Mali?", api_name="/chat")
    with pytest.raises(Exception, match="rating must be 'up' or 'down'"):
        client.predict("great", api_name="/feedback")
    with pytest.raises(Exception, match="must be cited by the answer"):
        client.predict("down", sources=["nope.txt"], api_name="/feedback")


@pytest.mark.parametrize(("fields", "said"), [
    ({"turn": "abc"}, "turn must be a whole number"),
    ({"turn": 1.5}, "turn must be a whole number"),
    ({"sources": [{}]}, "sources must be a list of cited doc ids (strings)"),
    ({"sources": "xss.md"}, "not one string"),  # was read as the letters x, s, s, ...
    ({"not_in_corpus": "yes"}, "not_in_corpus must be true or false"),
    ({"expected": {"a": 1}}, "expected must be text"),
    ({"expected": "x" * 4001}, "That is too long: what it should have said may be at most 4000 characters."),
])
def test_wrongly_typed_feedback_fields_get_a_clear_message_and_no_traceback(served, capfd, fields, said):
    url, pipeline = served
    client = Client(url, verbose=False)
    client.predict("When did Wagner deploy to Mali?", api_name="/chat")
    before = len(stored(pipeline).all())
    capfd.readouterr()
    with pytest.raises(Exception, match=re.escape(said)):
        client.predict("down", **fields, api_name="/feedback")
    logged = capfd.readouterr()
    assert "Traceback" not in logged.out + logged.err
    assert len(stored(pipeline).all()) == before


def test_escapes_in_an_expected_answer_sent_over_http_are_not_stored(served):
    url, pipeline = served
    client = Client(url, verbose=False)
    client.predict("When did Wagner deploy to Mali?", api_name="/chat")
    client.predict("down", expected="late \x00\x1b[31m2021\u202e", api_name="/feedback")
    latest = stored(pipeline).all()[-1]  # rows in the order they were added
    assert latest.expected == "late [31m2021"
