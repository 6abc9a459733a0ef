Console.WriteLine("JobUtil sample");
