"""AWS access: the boto3 client, the one function every memory call goes through, API limits."""
