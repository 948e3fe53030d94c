"""How much a course may hold: every limit the loader enforces, in one place.

Each one keeps a hostile or broken course from taking unbounded time or memory; each is
documented in docs/course-format.md ("Limits") and reported at the position where it is
crossed, never as a crash. The values are far above what a real course needs.
"""

from __future__ import annotations

#: bytes of one text file (course.yml, a lesson, a quiz)
MAX_TEXT_FILE_BYTES = 10 * 1024 * 1024
#: bytes of one other file the course uses (an image, a video, a theme file)
MAX_ASSET_FILE_BYTES = 64 * 1024 * 1024
#: bytes of all the files the course uses together (text, assets, theme)
MAX_COURSE_BYTES = 200 * 1024 * 1024
#: files and folders in the course folder (hidden ones aside)
MAX_FOLDER_ENTRIES = 20_000
#: lessons and quizzes listed in ``structure``
MAX_ITEMS = 5_000
#: questions in one quiz, and inline question blocks in one lesson
MAX_QUESTIONS_PER_ITEM = 1_000
#: YAML values in one document, an alias counting as every value it repeats
MAX_YAML_VALUES = 200_000
#: aliases (``*name``) in one YAML document
MAX_YAML_ALIASES = 1_000
#: lists and mappings inside each other in one YAML document
MAX_YAML_DEPTH = 50
#: characters of a number written in YAML (``points: 1000...``)
MAX_NUMBER_CHARS = 100
#: Markdown work in one file: lines plus characters that may start Markdown syntax
MAX_MARKDOWN_UNITS = 150_000
#: Markdown work in all lessons and quizzes of a course together
MAX_COURSE_MARKDOWN_UNITS = 300_000
#: points of one question and weight of one quiz
MAX_POINTS = 1_000_000
#: magnitude of a numeric answer, tolerance, min or max
MAX_NUMERIC = 1e15

DOCS = "see 'Limits' in docs/course-format.md"
