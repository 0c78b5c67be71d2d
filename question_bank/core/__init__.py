"""The pure core of the question bank.

Plain data (:mod:`.model`), reading the files contributing offices send (:mod:`.importing`),
writing the template, the bank export and the jury's booklet (:mod:`.export`, :mod:`.booklet`),
spotting duplicates (:mod:`.dedupe`) and the sealed draw (:mod:`.draw`).

Nothing here imports Flask, SQLAlchemy or werkzeug, reads the clock or uses the global
random generator: the callers load and save rows and pass a random generator in.
"""
