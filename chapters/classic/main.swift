print("classic")
