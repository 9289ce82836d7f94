import Testing
import AttentionMethod
