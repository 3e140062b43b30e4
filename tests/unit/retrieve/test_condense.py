"""Follow-up rewriting by an LLM, and the rule it falls back to (a stub model: unit test)."""

from types import SimpleNamespace

from rag.retrieve.condense import condense, rewrite

HISTORY = ["Which Russian force stayed in Mali after Wagner left?"]


class Stub:
    def __init__(self, reply: str | Exception):
        self.reply, self.calls = reply, 0

    def chat(self, messages):
        self.calls += 1
        if isinstance(self.reply, Exception):
            raise self.reply
        return SimpleNamespace(message=SimpleNamespace(content=self.reply))


def test_a_follow_up_is_rewritten_by_the_model() -> None:
    assert rewrite("Who commands it?", HISTORY, Stub('"Who commands the Africa Corps?"\n')) == \
        "Who commands the Africa Corps?"


def test_a_standalone_question_is_left_alone() -> None:
    stub = Stub("anything")
    question = "When did the French government announce the withdrawal of its soldiers?"
    assert rewrite(question, HISTORY, stub) == question and stub.calls == 0


def test_a_failing_or_rambling_model_falls_back_to_the_rule() -> None:
    rule = condense("Who commands it?", HISTORY)
    assert rewrite("Who commands it?", HISTORY, Stub(ConnectionError("refused"))) == rule
    assert rewrite("Who commands it?", HISTORY, Stub(HISTORY[0])) == rule  # dropped the question
    assert rewrite("Who commands it?", HISTORY, Stub("")) == rule


def test_a_rewrite_that_drops_the_antecedent_falls_back_to_the_rule() -> None:
    history = ["Why did Wagner leave Mali?"]
    rule = condense("Who replaced them?", history)
    assert "Wagner" in rule
    # What a 1.5B model does with "they": echoed, or swapped for a vague noun.
    assert rewrite("Who replaced them?", history, Stub("Who replaced them?")) == rule
    assert rewrite("Who replaced them?", history, Stub("Who replaced the soldiers?")) == rule
    # A rewrite that names the antecedent, or what it resolved it to, is kept.
    kept = "Who replaced Wagner in Mali?"
    assert rewrite("Who replaced them?", history, Stub(kept)) == kept
    assert rewrite("Who replaced them?", history, Stub("Who replaced the Wagner Group?")) == \
        "Who replaced the Wagner Group?"
