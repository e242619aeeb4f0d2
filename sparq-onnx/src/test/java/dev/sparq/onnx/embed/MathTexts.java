package dev.sparq.onnx.embed;

import java.util.List;

/** Math problems written for these tests: paraphrase triples and seeds from distinct topics. */
final class MathTexts {
  private MathTexts() {}

  /** A problem, a paraphrase of it, and an unrelated problem. */
  record Triple(String problem, String paraphrase, String unrelated) {}

  static final List<Triple> TRIPLES = List.of(
      new Triple(
          "A rectangle has a length of 12 cm and a width of 5 cm. What is its area?",
          "Find the area of a rectangle whose sides measure 12 centimetres and 5 centimetres.",
          "How many ways can 6 people be seated in a row of 6 chairs?"),
      new Triple(
          "Solve for x: 3x + 7 = 22.",
          "What value of x satisfies the equation 3x plus 7 equals 22?",
          "A circle has radius 4. What is its circumference?"),
      new Triple(
          "What is the probability of rolling a sum of 7 with two fair six-sided dice?",
          "Two fair dice are thrown. Find the chance that the numbers shown add up to 7.",
          "Find the greatest common divisor of 84 and 126."),
      new Triple(
          "Find the derivative of f(x) = x^3 - 4x^2 + 2x.",
          "Differentiate the function x cubed minus four x squared plus two x with respect to x.",
          "A train travels 300 km in 4 hours. What is its average speed?"),
      new Triple(
          "How many prime numbers are there between 1 and 50?",
          "Count the primes that lie between 1 and 50.",
          "The angles of a triangle are in the ratio 2:3:4. Find the largest angle."),
      new Triple(
          "A shirt costs $40 and is discounted by 25%. What is the sale price?",
          "After a 25 percent reduction, how much does a $40 shirt cost?",
          "Evaluate the integral of sin(x) from 0 to pi."),
      new Triple(
          "What is the sum of the interior angles of a hexagon?",
          "Add up all the inside angles of a six-sided polygon. What total do you get?",
          "If 5 workers build a wall in 8 days, how long would 10 workers take?"),
      new Triple(
          "Find the remainder when 2^100 is divided by 7.",
          "What is 2 raised to the power 100 modulo 7?",
          "A cone has radius 3 and height 4. Find its slant height."),
      new Triple(
          "Maria has 3 times as many apples as Tom. Together they have 48 apples. How many does Tom have?",
          "Tom and Maria own 48 apples in total, and Maria owns three times what Tom owns. How many apples are Tom's?",
          "Find the equation of the line through the points (1, 2) and (3, 8)."),
      new Triple(
          "What is the least common multiple of 12, 18 and 30?",
          "Find the smallest positive number that is divisible by 12, by 18 and by 30.",
          "A bag holds 4 red and 6 blue marbles. Two are drawn without replacement. What is the probability both are red?"),
      new Triple(
          "Find the roots of the quadratic equation x^2 - 5x + 6 = 0.",
          "Solve x squared minus 5x plus 6 equals zero for x.",
          "How many diagonals does a decagon have?"),
      new Triple(
          "A ladder 10 m long leans against a wall with its foot 6 m from the wall. How high up the wall does it reach?",
          "The base of a 10-metre ladder stands 6 metres from a vertical wall. At what height does the ladder touch the wall?",
          "What is the median of the numbers 3, 9, 4, 7, 1?"),
      new Triple(
          "Compute the sum of the first 100 positive integers.",
          "What do you get when you add together all whole numbers from 1 to 100?",
          "Find the volume of a cube with edge length 5 cm."),
      new Triple(
          "An investment of $1000 earns 5% interest compounded annually. What is it worth after 3 years?",
          "How much will $1000 grow to in three years at 5 percent annual compound interest?",
          "How many edges does a triangular prism have?"),
      new Triple(
          "In how many ways can a committee of 3 be chosen from 10 people?",
          "Count the number of 3-person groups that can be selected out of 10 people.",
          "Solve the inequality 2x - 3 > 9."),
      new Triple(
          "Find the limit of (sin x)/x as x approaches 0.",
          "What value does sin(x) divided by x tend to when x goes to zero?",
          "A store sells pens at 3 for $2. How much do 12 pens cost?"),
      new Triple(
          "What is the area of a circle with diameter 10?",
          "A circle is 10 units across. Compute the area it encloses.",
          "How many positive divisors does 360 have?"),
      new Triple(
          "The mean of five numbers is 12. Four of them are 10, 14, 9 and 15. What is the fifth?",
          "Five numbers average 12; four of them are 10, 14, 9 and 15. Find the missing number.",
          "Find the determinant of the matrix [[2, 1], [5, 3]]."),
      new Triple(
          "Convert the binary number 101101 to decimal.",
          "What is 101101 in base two written in base ten?",
          "A car's fuel tank holds 50 litres and is one fifth full. How many litres are needed to fill it?"),
      new Triple(
          "Find the 10th term of the arithmetic sequence 3, 7, 11, 15, ...",
          "The sequence 3, 7, 11, 15 continues by adding 4 each time. What is its tenth term?",
          "What is the probability of getting exactly two heads in three coin tosses?"),
      new Triple(
          "A pool is filled by one pipe in 6 hours and by another in 3 hours. How long do both pipes take together?",
          "One pipe fills a tank in 6 hours, a second pipe in 3 hours. Working together, how long do they need?",
          "Find the sum of the digits of 2^10."),
      new Triple(
          "What is the volume of a sphere with radius 3?",
          "Compute how much space a ball of radius 3 occupies.",
          "Solve the system x + y = 10 and x - y = 4."),
      new Triple(
          "Simplify the fraction 84/126 to lowest terms.",
          "Reduce 84 over 126 as far as possible.",
          "A runner completes 5 laps of a 400 m track. How far did she run in kilometres?"));

  /** Seed problems by topic: six topics, six problems each. */
  static final List<List<String>> TOPICS = List.of(
      List.of(
          "Find the area of a triangle with base 8 and height 5.",
          "What is the perimeter of a square with side 7?",
          "A circle has radius 6. Find its area.",
          "Find the length of the hypotenuse of a right triangle with legs 5 and 12.",
          "What is the volume of a cylinder with radius 2 and height 9?",
          "Find the measure of each interior angle of a regular octagon."),
      List.of(
          "A fair coin is tossed four times. What is the probability of exactly three heads?",
          "Two cards are drawn from a standard deck. What is the probability both are aces?",
          "A die is rolled twice. What is the probability the first roll exceeds the second?",
          "A bag has 5 green and 3 yellow balls. One is drawn at random. What is the chance it is yellow?",
          "What is the expected value of a roll of a fair eight-sided die?",
          "Three people each pick a number from 1 to 10. What is the probability all three differ?"),
      List.of(
          "Find the greatest common divisor of 252 and 198.",
          "What is the smallest prime factor of 1001?",
          "Find the remainder when 7^50 is divided by 5.",
          "How many positive divisors does 144 have?",
          "Is 221 a prime number? Justify your answer.",
          "Find all integers n such that n^2 is congruent to 1 modulo 8."),
      List.of(
          "Find the derivative of sin(x) times e^x.",
          "Evaluate the integral of 3x^2 from 0 to 2.",
          "Find the local maximum of f(x) = -x^2 + 4x + 1.",
          "Compute the limit of (1 + 1/n)^n as n tends to infinity.",
          "Find the slope of the tangent line to y = ln(x) at x = 1.",
          "Determine where the function x^3 - 3x is increasing."),
      List.of(
          "A train leaves at 9 am travelling 80 km/h. How far has it gone by 11:30 am?",
          "Sara buys 3 notebooks at $2.50 each and a pen for $1.20. How much does she spend?",
          "A recipe for 4 people needs 300 g of flour. How much flour is needed for 10 people?",
          "Tom earns $15 per hour and works 38 hours a week. What is his weekly pay?",
          "A tank holds 200 litres and leaks 4 litres per hour. When is it empty?",
          "Jane is twice as old as her son. In 10 years the sum of their ages will be 65. How old is Jane?"),
      List.of(
          "Find the eigenvalues of the matrix [[4, 1], [2, 3]].",
          "Compute the product of the matrices [[1, 2], [3, 4]] and [[0, 1], [1, 0]].",
          "Find the inverse of the matrix [[2, 0], [1, 1]].",
          "Are the vectors (1, 2, 3) and (2, 4, 6) linearly independent?",
          "Find the dot product of the vectors (3, -1, 2) and (1, 4, 0).",
          "What is the rank of the matrix [[1, 2], [2, 4]]?"));

  /** Every topic text as a problem (answer "1"), topic by topic. */
  static List<dev.sparq.core.model.Problem> problems() {
    List<dev.sparq.core.model.Problem> out = new java.util.ArrayList<>();
    for (List<String> topic : TOPICS) {
      for (String s : topic) {
        out.add(dev.sparq.core.model.Problem.of(s, "", "1"));
      }
    }
    return out;
  }
}
