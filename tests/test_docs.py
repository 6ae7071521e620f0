"""Documentation generated from the rule YAML stays in sync with it."""

from __future__ import annotations

from rmplint.rules.docs import listing


def test_docs_rules_md_is_generated_from_the_pack(pack, root):
    committed = (root / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == listing(pack, "markdown"), (
        "docs/rules.md is out of date: run `rmplint rules list --format markdown > docs/rules.md`"
    )


def test_rules_md_lists_every_rule(pack):
    md = listing(pack, "markdown")
    for r in pack.rules:
        assert f"`{r.id}`" in md
