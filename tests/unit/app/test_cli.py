"""`rag delete DOC_ID`: the Corpus tab's deletion (rag/app/services/corpus.py) from the command
line, on a real index (fake embedder)."""

from rag.app.cli.main import main
from rag.pipeline import Pipeline

DOC = "002_9009ab8afc2139b9.txt"


def test_delete_removes_the_document_and_its_file(settings, fake_embedder, seed_corpus,
                                                  monkeypatch, capsys) -> None:
    Pipeline(settings, fake_embedder).ingest()
    monkeypatch.setattr("rag.pipeline.default_embedder", lambda s: fake_embedder)
    code = main(["delete", DOC, "--index", str(settings.index_dir), "--corpus", str(seed_corpus)])
    assert code == 0
    assert "Removed 002_9009ab8afc2139b9.txt from the index and deleted its file" in capsys.readouterr().out
    assert not (seed_corpus / DOC).exists()
    assert DOC not in {d.doc_id for d in Pipeline(settings, fake_embedder).documents()}


def test_deleting_an_unknown_document_is_one_line(settings, fake_embedder, monkeypatch, capsys) -> None:
    Pipeline(settings, fake_embedder).ingest()
    monkeypatch.setattr("rag.pipeline.default_embedder", lambda s: fake_embedder)
    assert main(["delete", "nope.txt", "--index", str(settings.index_dir)]) == 2
    assert capsys.readouterr().err == "rag: nope.txt: not in the index\n"


def test_main_in_process_leaves_the_callers_signals_alone(capsys) -> None:
    # A test (or program) calling main() must not die of SIGPIPE later on a closed socket.
    import signal

    before = signal.getsignal(signal.SIGPIPE)
    main(["settings"])
    assert signal.getsignal(signal.SIGPIPE) == before
