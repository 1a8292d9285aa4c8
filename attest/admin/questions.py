"""Answers to employees' questions reach them by email: ``training``'s answer view fires
``after_chapter_question_answer`` (it knows nothing of employees or their languages)."""
