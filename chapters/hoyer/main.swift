print("hoyer")
