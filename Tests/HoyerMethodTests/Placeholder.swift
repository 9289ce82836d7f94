import Testing
import HoyerMethod
