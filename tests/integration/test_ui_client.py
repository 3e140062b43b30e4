"""The chat UI through its scripting API (gradio_client on the `/chat` endpoint), plus the
upload and delete rules behind the Corpus tab."""

from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError

from rag.answer import Answer, Citation
from rag.prompts import ABSTAIN
from rag.app.ui import (CorpusError, build_app, corpus_name, delete_document, highlight, launch,
                    parse_auth, render_answer, render_source, save_upload)
from tests.servers import free_port, running_app, temp_settings


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with running_app(temp_settings(tmp_path_factory.mktemp("ui-client"))) as (url, pipeline):
        yield url, pipeline


@pytest.fixture
def client(served) -> Client:
    return Client(served[0], verbose=False)  # one client, one session, one history


@pytest.mark.integration
def test_chat_feedback_and_timeline_are_the_only_public_endpoints(client):
    api = client.view_api(return_format="dict", print_info=False)
    assert set(api["named_endpoints"]) == {"/chat", "/feedback", "/timeline"}
    assert not api["unnamed_endpoints"]


@pytest.mark.integration
def test_answer_cites_its_sources(client):
    text = client.predict("When did Wagner deploy to Mali?", api_name="/chat")
    assert "December 2021" in text
    assert "[1]" in text and "Sources:" in text


@pytest.mark.integration
def test_follow_up_uses_the_session_history(client):
    client.predict("Which Russian force stayed after Wagner left?", api_name="/chat")
    text = client.predict("Who backs it?", api_name="/chat")
    assert "(searched for: Who backs it? (Which Russian force stayed after Wagner left?))" in text
    assert "africa corps" in text.lower() or "kremlin" in text.lower()


@pytest.mark.integration
def test_sessions_keep_separate_histories(served, client):
    client.predict("Which Russian force stayed after Wagner left?", api_name="/chat")
    other = Client(served[0], verbose=False)
    assert "searched for" not in other.predict("Who backs it?", api_name="/chat")


@pytest.mark.integration
def test_abstains_outside_the_corpus(client):
    text = client.predict("Who won the 2022 World Cup?", api_name="/chat")
    assert text == ABSTAIN


@pytest.mark.integration
def test_auth_setting_requires_a_login(served):
    _, pipeline = served
    settings = pipeline.settings.changed(ui__auth="reader:secret", ui__port=free_port())
    app = build_app(pipeline)
    _, url, _ = launch(app, settings, prevent_thread_lock=True, quiet=True)
    try:
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        reader = Client(url, auth=("reader", "secret"), verbose=False)
        assert "December 2021" in reader.predict("When did Wagner deploy to Mali?", api_name="/chat")
    finally:
        app.close()


@pytest.mark.parametrize("value", ["no-colon-here", ":secret", "reader:"])
def test_malformed_auth_setting_is_refused(value):
    with pytest.raises(ValueError, match="user:password"):
        parse_auth(value)


def test_auth_password_may_contain_colons():
    assert parse_auth("reader:se:cret") == ("reader", "se:cret")


@pytest.mark.integration
def test_delete_removes_the_document_and_its_file(served, tmp_path):
    _, pipeline = served
    upload = tmp_path / "zorbia.txt"
    upload.write_text("The Zorbian lighthouse was painted teal in 1987 by the harbour council.\n")
    name = save_upload(upload, pipeline.settings).name
    pipeline.ingest()
    assert name in {d.doc_id for d in pipeline.documents()}

    delete_document(pipeline, name)
    assert not (Path(pipeline.settings.corpus_dir) / name).exists()
    pipeline.ingest()  # a later ingest must not bring it back
    assert name not in {d.doc_id for d in pipeline.documents()}


@pytest.mark.parametrize("name", ["../../etc/notes.txt", "..\\..\\notes.txt", "/tmp/notes.txt"])
def test_upload_names_lose_their_folders(name):
    assert corpus_name(name) == "notes.txt"


@pytest.mark.parametrize("name", ["", ".env.txt", "..", "notes.exe", "notes.txt.xlsx",
                                  "bad\nname.txt"])
def test_unacceptable_upload_names_are_refused(name):
    with pytest.raises(CorpusError):
        corpus_name(name)


def test_oversized_uploads_are_refused_with_the_limit(tmp_path):
    settings = temp_settings(tmp_path, ui__max_upload_mb=0.01)
    big = tmp_path / "big.txt"
    big.write_text("Words of a long article. " * 1000)
    with pytest.raises(CorpusError, match=r"over the 0.01 MB upload limit"):
        save_upload(big, settings)
    assert not (settings.corpus_dir / "big.txt").exists()


def test_unreadable_uploads_are_not_saved(tmp_path):
    settings = temp_settings(tmp_path)
    empty = tmp_path / "empty.md"
    empty.write_text("   \n")
    with pytest.raises(CorpusError, match="empty file"):
        save_upload(empty, settings)
    assert not (settings.corpus_dir / "empty.md").exists()


def test_corpus_text_is_escaped_before_highlighting():
    text = 'Intro. <img src=x onerror="alert(1)"> is cited. Tail <script>x()</script>'
    start = text.index("<img")
    marked = highlight(text, [(start, start + 35)])
    assert "<img" not in marked and "<script" not in marked
    assert marked.count("<mark>") == 1 and "&lt;img" in marked and "&lt;script&gt;" in marked


def test_answer_markup_is_escaped_and_only_known_markers_link():
    citation = Citation(n=1, doc_id="d.txt", title="<b>T</b>", text="x", start=0, end=1)
    answer = Answer(question="q", answer="A <i>cited</i> sentence. [1] Not a marker [7]",
                    abstained=False, citations=[citation], searched_for="q")
    rendered = render_answer(answer, turn=3)
    assert "&lt;i&gt;cited&lt;/i&gt;" in rendered
    assert 'href="#src-3-1"' in rendered and 'title="&lt;b&gt;T&lt;/b&gt;"' in rendered
    assert "[7]</a>" not in rendered


def test_source_links_only_to_web_addresses():
    def source(url: str) -> str:
        citation = Citation(n=2, doc_id="feed.jsonl#7", title="T", text="x", start=0, end=1,
                            metadata={"url": url, "published_at": "2024-06-01", "source": "<Wire>"})
        return render_source(citation, turn=1)

    assert 'href="https://example.org/a?b=1&amp;c=2"' in source("https://example.org/a?b=1&c=2")
    hostile = source("javascript:alert(1)")
    assert "href" not in hostile and "javascript" not in hostile
    assert 'id="src-1-2"' in hostile and "2024-06-01 · &lt;Wire&gt;" in hostile
