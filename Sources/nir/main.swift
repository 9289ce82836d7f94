print("nir")
