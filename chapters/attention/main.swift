print("chapter-attention: not written yet")
