"""What is in force: a regulation bundle in memory (manifest, diagrams, tables, forms), the
bundles and versions stored when deployed and which is in force on a date, the articles of a
regulation's text and which elements cite them, the document fields a form declares, the
decision tables and timers' deadlines in words, amounts in 万元.

This is the wing's public face: `api/`, `bench/` and the CLI use these names, never a module
inside. Modules: bundles, store, articles, coverage, attachment_marker, amounts, vocabulary,
cell_words, decision_words, timer_words, condition_words.
"""

from .amounts import is_amount, yuan_in_words
from .articles import full_coverage as coverage_of
from .articles import split_articles
from .attachment_marker import MAX_ATTACHMENT_BYTES, is_attachment_id
from .attachment_marker import fields as attachment_fields
from .bundles import Bundle, discover, from_files, from_folders
from .condition_words import condition_fields
from .coverage import cited_articles
from .decision_words import decisions_in_words
from .store import STATUS_LABELS, get_version, spec_text, stored_bundle, version_in_force, version_list

__all__ = [
    "MAX_ATTACHMENT_BYTES", "STATUS_LABELS", "Bundle", "attachment_fields", "cited_articles", "condition_fields",
    "coverage_of", "decisions_in_words", "discover", "from_files", "from_folders", "get_version", "is_amount",
    "is_attachment_id",
    "spec_text", "split_articles", "stored_bundle", "version_in_force", "version_list", "yuan_in_words",
]
