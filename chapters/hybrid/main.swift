print("chapter-hybrid: not written yet")
