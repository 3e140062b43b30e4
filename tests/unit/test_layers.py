"""The tree's shape, from the code's own imports (grimp, as import-linter reads them): no
package's parts import each other in a loop. The layers between the stages are
import-linter's contracts in pyproject.toml (`make check`)."""

import grimp


def loops(graph: grimp.ImportGraph) -> dict[str, set[tuple[str, str]]]:
    """Per package, the imports that would have to go for its parts to form no loop."""
    packages = [m for m in graph.modules if graph.find_children(m)]
    return {p: breakers for p in packages if (breakers := graph.nominate_cycle_breakers(p))}


def test_no_package_has_an_import_loop() -> None:
    assert loops(grimp.build_graph("rag")) == {}


def test_a_loop_is_found_where_one_is_added() -> None:
    graph = grimp.build_graph("rag")
    # The cycle there was: settings asked the answer layer which backends exist.
    graph.add_import(importer="rag.settings", imported="rag.answer.backends")
    assert loops(graph) == {"rag": {("rag.settings", "rag.answer.backends")}}
