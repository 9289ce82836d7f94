import Testing
import UltralowMethod
