import time


async def test_slow():
    time.sleep(0.01)
    text = ""
    for i in range(3):
        text += f"{i}"
