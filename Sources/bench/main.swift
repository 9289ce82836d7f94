print("bench: see issue 8")
