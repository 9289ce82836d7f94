import Testing
import HybridMethod
