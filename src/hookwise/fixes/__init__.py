"""Fix memory: what fixed which finding, and how it went (DESIGN §3, §5).

``attempt`` is the record, ``kinds`` the small taxonomy of edits, ``record``
reads the ``hookwise fix record`` JSON lines, and ``memory`` lists,
confirms, exports and imports the attempts. Rows are stored through
``hookwise.store.fixes``; they exist nowhere else, so nothing here deletes.
"""
