"""Which documents `rmplint check` reads: folders, globs, --exclude, `exclude` in the config, .rmplintignore."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rmplint.discover import Excludes, find_documents

PLAN = "# 7.2 Governance\n\nThe joint board meets monthly.\n"


def _tree(root: Path, *names: str) -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PLAN, encoding="utf-8")
    return root


@pytest.fixture()
def project(tmp_path) -> Path:
    return _tree(
        tmp_path,
        "contracts/alpha.docx", "contracts/beta.md", "contracts/gamma-old.md", "contracts/notes.xlsx",
        "contracts/legacy.doc", "contracts/keep.md", "contracts/drafts/draft.md",
        "contracts/2023/delta.md", "contracts/2023/q4/epsilon.txt", "contracts/.hidden/secret.md",
        "contracts/~$alpha.docx", "plan.md",
    )


@pytest.fixture()
def check(invoke, project):
    """check(*args) -> (result, document paths as the report lists them: sorted), run from the project folder."""

    def _check(*args: str):
        r = invoke(project, "check", *args, "--format", "json", "-j", "1")
        docs = [d["path"] for d in json.loads(r.stdout)["documents"]] if r.stdout.startswith("{") else []
        return r, docs

    return _check


# ---------------------------------------------------------------------------- globs

def test_a_recursive_glob_gives_the_documents_it_matches_at_any_depth_sorted(check):
    r, docs = check("contracts/**/*.md")
    assert r.exit_code == 0, r.output
    assert docs == ["contracts/2023/delta.md", "contracts/beta.md", "contracts/drafts/draft.md",
                    "contracts/gamma-old.md", "contracts/keep.md"]
    assert r.stderr == ""


def test_a_glob_that_matches_nothing_warns_and_the_rest_is_checked(check):
    r, docs = check("archive/*.pdf", "plan.md", "contracts/*.pdf")
    assert r.exit_code == 0, r.output
    assert docs == ["plan.md"]
    assert r.stderr.splitlines() == ["rmplint: warning: no documents match 'archive/*.pdf'",
                                     "rmplint: warning: no documents match 'contracts/*.pdf'"]


def test_when_no_glob_matches_anything_there_are_no_documents(check):
    r, _ = check("archive/**/*.pdf")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == ["rmplint: warning: no documents match 'archive/**/*.pdf'",
                                     "rmplint: error: no documents found in archive/**/*.pdf"]


def test_a_glob_keeps_supported_documents_unless_it_names_an_extension(project, monkeypatch):
    monkeypatch.chdir(project)
    # `contracts/*` matches files and folders; folders are walked; hidden names and lock files are skipped
    assert find_documents(["contracts/*"]).documents == (
        "contracts/2023/delta.md", "contracts/2023/q4/epsilon.txt", "contracts/alpha.docx", "contracts/beta.md",
        "contracts/drafts/draft.md", "contracts/gamma-old.md", "contracts/keep.md")
    # naming the extension asks for those files: a legacy .doc gets its error result, not silence
    assert find_documents(["contracts/*.doc"]).documents == ("contracts/legacy.doc",)
    assert find_documents(["*.md", "contracts/20?3/"]).documents == (
        "plan.md", "contracts/2023/delta.md", "contracts/2023/q4/epsilon.txt")


def test_an_existing_path_with_glob_characters_is_taken_literally(tmp_path, monkeypatch):
    _tree(tmp_path, "plan[1].md", "plan1.md")
    monkeypatch.chdir(tmp_path)
    assert find_documents(["plan[1].md"]).documents == ("plan[1].md",)
    assert find_documents(["plan[12].md"]).documents == ("plan1.md",)


def test_a_recursive_glob_does_not_follow_symlinked_folders(tmp_path, monkeypatch):
    _tree(tmp_path, "a/plan.md")
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    monkeypatch.chdir(tmp_path)
    assert find_documents(["**/*.md"]).documents == ("a/plan.md",)


# ---------------------------------------------------------------------------- --exclude

def test_exclude_a_file_pattern(check):
    r, docs = check("contracts", "--exclude", "*-old.md", "--exclude", "*.txt")
    assert r.exit_code == 0, r.output
    assert docs == ["contracts/2023/delta.md", "contracts/alpha.docx", "contracts/beta.md",
                    "contracts/drafts/draft.md", "contracts/keep.md"]


def test_an_excluded_folder_is_not_entered(project, monkeypatch):
    drafts = project / "contracts" / "drafts"
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        assert os.path.abspath(path) != str(drafts), "walked into an excluded folder"
        return real(path)

    monkeypatch.chdir(project)
    monkeypatch.setattr(os, "scandir", scandir)
    docs = find_documents(["contracts"], Excludes(("drafts/", "2023/"), str(project))).documents
    assert docs == ("contracts/alpha.docx", "contracts/beta.md", "contracts/gamma-old.md", "contracts/keep.md")


def test_a_negated_pattern_keeps_a_file(check):
    r, docs = check("contracts", "--exclude", "*.md", "--exclude", "!keep.md", "--exclude", "*.txt")
    assert r.exit_code == 0, r.output
    assert docs == ["contracts/alpha.docx", "contracts/keep.md"]


def test_excludes_apply_to_glob_results(check):
    r, docs = check("**/*.md", "--exclude", "drafts/", "--exclude", "/contracts/2023")
    assert r.exit_code == 0, r.output
    assert docs == ["contracts/beta.md", "contracts/gamma-old.md", "contracts/keep.md", "plan.md"]


def test_a_glob_whose_matches_are_all_excluded_warns(check):
    r, docs = check("contracts/drafts/*.md", "plan.md", "--exclude", "*.md")
    assert docs == ["plan.md"]
    assert r.stderr == "rmplint: warning: no documents match 'contracts/drafts/*.md'\n"


def test_what_is_named_on_the_command_line_is_never_excluded(check):
    r, docs = check("plan.md", "contracts/drafts", "--exclude", "drafts/", "--exclude", "plan.md")
    assert r.exit_code == 0, r.output
    assert docs == ["contracts/drafts/draft.md", "plan.md"]


def test_an_invalid_pattern_is_a_one_line_error(check):
    r, _ = check("contracts", "--exclude", "!")
    assert r.exit_code == 2
    assert r.stderr == "rmplint: error: --exclude has an invalid pattern '!'\n"


def test_patterns_anchored_with_a_slash_are_relative_to_the_working_directory(project, monkeypatch):
    monkeypatch.chdir(project)
    here = Excludes(("/contracts/2023/", "/beta.md"), str(project))
    docs = find_documents(["contracts"], here).documents
    assert "contracts/2023/delta.md" not in docs and "contracts/beta.md" in docs
    # documents outside that folder: the patterns are read from the folder being walked instead
    elsewhere = Excludes(("/2023/",), str(project / "somewhere-else"))
    assert "contracts/2023/delta.md" not in find_documents(["contracts"], elsewhere).documents


# ---------------------------------------------------------------------------- .rmplintignore

def test_rmplintignore_applies_to_its_folder_and_below(check, project):
    (project / "contracts" / "2023" / ".rmplintignore").write_text("# old quarters\nq4/\n*.md\n", encoding="utf-8")
    _tree(project, "contracts/other/delta.md")
    r, docs = check("contracts/2023", "contracts/other", "plan.md")
    assert r.exit_code == 0, r.output
    assert docs == ["contracts/other/delta.md", "plan.md"]
    r, docs = check("**/delta.md")
    assert docs == ["contracts/other/delta.md"]


def test_a_deeper_rmplintignore_overrides_the_exclude_setting(check, project):
    (project / "contracts" / ".rmplintignore").write_text("!keep.md\n", encoding="utf-8")
    r, docs = check("contracts", "--exclude", "*.md", "--exclude", "*.txt")
    assert docs == ["contracts/alpha.docx", "contracts/keep.md"]


def test_an_unreadable_rmplintignore_is_a_one_line_error(check, project):
    ignore = project / "contracts" / ".rmplintignore"
    ignore.write_bytes(b"\xff\xfe*.md\n")
    r, _ = check("contracts")
    assert r.exit_code == 2
    assert r.stderr == "rmplint: error: contracts/.rmplintignore: not a UTF-8 text file\n"
    ignore.write_text("ok.md\nbad\\\n", encoding="utf-8")
    r, _ = check("contracts")
    assert r.stderr == "rmplint: error: contracts/.rmplintignore: has an invalid pattern 'bad\\\\'\n"


# ---------------------------------------------------------------------------- exclude in the config

def test_config_exclude_is_relative_to_the_config_files_folder(check, invoke, project):
    (project / "rmplint.toml").write_text('exclude = ["drafts/", "/contracts/2023/", "*.txt"]\n', encoding="utf-8")
    expected = ["contracts/alpha.docx", "contracts/beta.md", "contracts/gamma-old.md", "contracts/keep.md"]
    assert check("contracts")[1] == expected
    assert check(".")[1] == [*expected, "plan.md"]
    shown = invoke(project, "config", "show", "contracts").stdout
    assert f'exclude = ["drafts/", "/contracts/2023/", "*.txt"]  # {project / "rmplint.toml"}' in shown.splitlines()


def test_command_line_exclude_replaces_the_configs(check, invoke, project):
    (project / "rmplint.toml").write_text('exclude = ["drafts/"]\n', encoding="utf-8")
    r, docs = check("contracts", "--exclude", "2023/")
    assert docs == ["contracts/alpha.docx", "contracts/beta.md", "contracts/drafts/draft.md",
                    "contracts/gamma-old.md", "contracts/keep.md"]
    shown = invoke(project, "config", "show", "--exclude", "2023/").stdout
    assert 'exclude = ["2023/"]  # command line' in shown.splitlines()


def test_config_exclude_must_be_a_list_of_valid_patterns(check, project):
    (project / "rmplint.toml").write_text('exclude = ["drafts/", 3]\n', encoding="utf-8")
    r, _ = check("contracts")
    assert r.exit_code == 2
    assert r.stderr == (f"rmplint: error: {project / 'rmplint.toml'}: key 'exclude' must be a list of strings, "
                        "got ['drafts/', 3]\n")


def test_default_config_shows_no_excludes(invoke, tmp_path):
    assert "exclude = []  # default" in invoke(tmp_path, "config", "show").stdout.splitlines()


# ---------------------------------------------------------------------------- order

def test_arguments_keep_their_order_and_each_expands_sorted(project, monkeypatch):
    from rmplint.cli import iter_documents

    monkeypatch.chdir(project)
    args = ["plan.md", "contracts/2023", "contracts/*.docx", "contracts/beta.md", "./contracts/2*/**"]
    assert iter_documents(args) == ["plan.md", "contracts/2023/delta.md", "contracts/2023/q4/epsilon.txt",
                                    "contracts/alpha.docx", "contracts/beta.md",
                                    "contracts/2023/delta.md", "contracts/2023/q4/epsilon.txt"]
    assert iter_documents(args) == iter_documents(args)
