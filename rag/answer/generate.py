"""What the LLM backends share: prompt the model with the best passages, stream its
answer under the quoted evidence, then keep only what the passages support.

The quoted (extractive) answer is shown at once; the model's answer streams under it,
each sentence checked against the passages as soon as it is complete (`checking`), and
the final answer is the model's, made of those checked sentences. When the model fails
(timeout, refused connection, HTTP error) or none of its sentences holds up, the final
answer is the quoted one, with a one-line notice.
"""

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import cast

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM
from llama_index.core.schema import NodeWithScore

from rag.answer.backends import Resources
from rag.answer.base import Answer, Citation, Evidence, cite, final
from rag.answer.checking import Progress, SentenceChecker
from rag.answer.question import asked_type, has_type
from rag.text.sentences import sentence_spans
from rag.retrieve.condense import rewrite
from rag.text.terms import terms
from rag.answer.injection import neutralised
from rag.prompts import (ANSWER_SYSTEM, LLM_FAILED, NOT_FOUND_PATTERNS, UNVERIFIED,
                         UNVERIFIED_MARK, answer_prompt)
from rag.settings import Settings
from rag.answer.verify import CheckedSentence, Verdict, Verifier

_NOT_FOUND = re.compile("|".join(NOT_FOUND_PATTERNS), re.IGNORECASE)
_CONTEXT_SENTENCES = 1  # sentences kept on each side of a passage's best one


class LLMUnavailable(Exception):
    """The model could not answer; the message is one line for the user."""


def chat_messages(system: str, user: str) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.SYSTEM, content=system),
            ChatMessage(role=MessageRole.USER, content=user)]


def failure_reason(error: Exception) -> str:
    """One line for any error an LLM client raises: its type and first line."""
    if isinstance(error, LLMUnavailable):
        return str(error)
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__


def generating(name: str, make_llm: Callable[[Settings], LLM]) -> Callable[[Resources], "GeneratingAnswerer"]:
    """A generating backend's `build`: its LLM writes, the quoted answer is its evidence."""
    def build(resources: Resources) -> GeneratingAnswerer:
        evidence = cast(Evidence, resources.answerer("extractive"))
        return GeneratingAnswerer(make_llm(resources.settings), evidence, resources.settings,
                                  name, resources.embed_model)
    return build


class GeneratingAnswerer:
    def __init__(self, llm: LLM, evidence: Evidence, settings: Settings, backend: str,
                 embed_model: BaseEmbedding):
        self.llm, self.evidence, self.settings, self.backend = llm, evidence, settings, backend
        self.verifier = Verifier(lambda texts: np.array(embed_model.get_text_embedding_batch(texts)),
                                 settings.verify)

    def standalone(self, question: str, history: list[str]) -> str:
        return rewrite(question, history, self.llm)

    def stream(self, question: str, passages: list[NodeWithScore]) -> Iterator[Answer]:
        started = time.perf_counter()
        quoted = final(self.evidence.stream(question, passages))
        quoted.backend, quoted.done = self.backend, False
        yield quoted
        given = passages[: self.settings.llm.passages]
        sources = self.trimmed(question, given)
        messages = chat_messages(ANSWER_SYSTEM, answer_prompt(question, sources))
        checker = SentenceChecker(self.verifier, [p.node.get_content() for p in given], question,
                                  self.settings.verify.unsupported)
        text, first_token_ms = "", None
        deadline = time.monotonic() + self.settings.llm.deadline
        chunks = self.llm.stream_chat(messages)
        try:
            for chunk in chunks:
                if first_token_ms is None:
                    first_token_ms = round((time.perf_counter() - started) * 1000, 1)
                text += chunk.delta or ""
                if time.monotonic() > deadline:
                    raise LLMUnavailable(f"no whole answer within {self.settings.llm.deadline:g} s")
                if len(text) > _CHARS_PER_TOKEN * self.settings.llm.max_tokens:
                    break  # a server ignoring max_tokens
                # An answer turning into the sentinel will be the abstention: nothing to check.
                progress = Progress([], "") if _NOT_FOUND.search(text) else checker.feed(text)
                yield self._partial(quoted, progress, given)
        except Exception as error:  # any client error: the user gets the quoted answer
            yield self._fallback(quoted, LLM_FAILED.format(reason=failure_reason(error)), first_token_ms)
            return
        finally:
            chunks.close()  # stops a local generation, closes a server's stream
        if not text.strip():  # a 200 with an empty stream, a body that was not an answer
            yield self._fallback(quoted, LLM_FAILED.format(reason="it sent no text"), first_token_ms)
            return
        answer = self.checked(question, text, checker, given, quoted)
        answer.first_token_ms = first_token_ms
        yield answer

    def trimmed(self, question: str, passages: list[NodeWithScore]) -> list[str]:
        """Each passage cut to its best sentence and its neighbours: a shorter prompt is
        most of the speed of a CPU model, and the answer sits around the best match."""
        best = self.evidence.best_sentences(question, passages)
        sources = []
        for passage in passages:
            text = passage.node.get_content()
            spans = sentence_spans(text)
            start = best.get(passage.node.node_id)
            if start is None or not spans:
                sources.append(neutralised(text))
                continue
            i = next(i for i, (s, e) in enumerate(spans) if s <= start < e or s >= start)
            kept = spans[max(0, i - _CONTEXT_SENTENCES): i + _CONTEXT_SENTENCES + 1]
            # Sentences aimed at the model ("Ignore the question…") never reach it.
            sources.append(neutralised(text[kept[0][0]: kept[-1][1]]))
        return sources

    def checked(self, question: str, text: str, checker: SentenceChecker,
                given: list[NodeWithScore], quoted: Answer) -> Answer:
        """The model's answer as shown: verified sentences with their [n], or an abstention
        or the quoted answer when nothing of it holds up."""
        if _NOT_FOUND.search(text) or not text.strip():
            return self._abstention(question)
        verdict = checker.verdict(text)
        if verdict.abstained or _restates(question, verdict):
            return self._abstention(question)
        if not verdict.supported:
            # Nothing to replace when the quoted answer is itself the abstention.
            return self._fallback(quoted, "" if quoted.abstained else UNVERIFIED, None, verdict)
        if not _gives_asked_kind(question, verdict):
            # "Which organisation ...?" answered without naming one says nothing; the quotes may.
            return self._fallback(quoted, "", None, verdict)
        parts, sentences, citations = _compose(verdict.sentences, given, [])
        return Answer(question=question, answer=" ".join(parts), abstained=False,
                      citations=citations, backend=self.backend, sentences=sentences)

    def _abstention(self, question: str) -> Answer:
        answer = Answer.abstention(question)
        answer.backend = self.backend
        return answer

    def _partial(self, quoted: Answer, progress: Progress, given: list[NodeWithScore]) -> Answer:
        """The quoted answer, and under it the model's sentences checked so far, citing
        sources numbered after the quoted ones (or the same source, when it is one)."""
        own = [replace(c, highlights=list(c.highlights)) for c in quoted.citations]
        _, sentences, citations = _compose(progress.checked, given, own)
        return Answer(question=quoted.question, answer=quoted.answer, abstained=quoted.abstained,
                      citations=citations, backend=self.backend, sentences=sentences,
                      draft=progress.tail, done=False)

    def _fallback(self, quoted: Answer, notice: str, first_token_ms: float | None,
                  verdict: Verdict | None = None) -> Answer:
        sentences = [_row(s) for s in (verdict.sentences if verdict else [])]
        return Answer(question=quoted.question, answer=quoted.answer, abstained=quoted.abstained,
                      citations=quoted.citations, backend=self.backend, sentences=sentences,
                      notice=notice, first_token_ms=first_token_ms)


# A token is about 4 characters of English; twice that leaves room for long words, and a
# server that streams past max_tokens is still cut near where one honouring it stops.
_CHARS_PER_TOKEN = 8


def _gives_asked_kind(question: str, verdict: Verdict) -> bool:
    """A question asking for a date, number or name needs one the question did not give."""
    kind = asked_type(question)
    asked = set(terms(question))
    return kind is None or any(has_type(s.text, kind, asked) for s in verdict.shown)


def _compose(checked: list[CheckedSentence], given: list[NodeWithScore],
             citations: list[Citation]) -> tuple[list[str], list[dict], list[Citation]]:
    """The shown sentences with their [n], a row per sentence (for --json, the API and
    the UI), and `citations` extended with the passages they cite."""
    by_passage: dict[int, Citation] = {}  # by the passage's number in the prompt
    parts, rows = [], []
    for sentence in checked:
        rows.append(row := _row(sentence))
        if sentence.status == "dropped":
            continue
        if sentence.passage is None:
            parts.append(f"{sentence.text} {UNVERIFIED_MARK}")
            continue
        citation = by_passage.get(sentence.passage)
        if citation is None:
            citation = by_passage[sentence.passage] = _cited(given[sentence.passage - 1], citations)
        if sentence.span and sentence.span not in citation.highlights:
            citation.highlights.append(sentence.span)
            citation.highlights.sort()
        row["cited"] = citation.n
        parts.append(f"{sentence.text} [{citation.n}]")
    return parts, rows, citations


def _row(sentence: CheckedSentence) -> dict:
    """What --json, the API and the UI say about one sentence; `cited` is set once shown."""
    return {"text": sentence.text, "status": sentence.status, "cited": None,
            "overlap": round(sentence.overlap, 3), "cosine": round(sentence.cosine, 3)}


def _cited(passage: NodeWithScore, citations: list[Citation]) -> Citation:
    """The citation of `passage` among `citations`, added as the next number if new."""
    new = cite(len(citations) + 1, passage)
    for citation in citations:
        if (citation.doc_id, citation.start, citation.text) == (new.doc_id, new.start, new.text):
            return citation
    citations.append(new)
    return new


def _restates(question: str, verdict: Verdict) -> bool:
    """An answer that only repeats the question's own words says nothing."""
    asked = set(terms(question))
    said = {t for s in verdict.shown for t in terms(s.text)}
    return bool(said) and said <= asked
